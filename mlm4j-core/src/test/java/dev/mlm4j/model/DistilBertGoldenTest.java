package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DistilBertConfig;
import dev.mlm4j.explorer.AttentionView;
import dev.mlm4j.explorer.ExplorerModel;
import dev.mlm4j.explorer.ExplorerOptions;
import dev.mlm4j.pipelines.FillMask;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tokens.Encoding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DistilBERT against transformers on the committed fixture families/distilbert-tiny (a seeded random
 * DistilBertForMaskedLM saved by save_pretrained; expected.json from transformers' float32 eager forward, both made by
 * scripts/reference/families/distilbert.py): token ids equal, last hidden state within 1e-4, every layer's attention
 * probabilities within 1e-5, the MLM top-5 at each [MASK] equal, for ten sentences one by one and a padded batch of
 * three (mlm4j packs it; transformers pads); and transformers' fill-mask pipeline through {@link Models#fillMask}.
 */
class DistilBertGoldenTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path folder;
    private static JsonNode expected;
    private static Checkpoint checkpoint;
    private static MaskedLanguageModel mlm;

    @BeforeAll
    static void load() throws IOException, URISyntaxException {
        folder = Path.of(DistilBertGoldenTest.class.getResource("/families/distilbert-tiny/config.json").toURI()).getParent();
        expected = JSON.readTree(folder.resolve("expected.json").toFile());
        checkpoint = Checkpoint.open(folder);
        mlm = checkpoint.load(Task.MASKED_LM).orElseThrow();
    }

    @AfterAll
    static void close() {
        checkpoint.close();
    }

    @Test
    void theFolderIsDistilBertByItsConfigAndLoadsTheMaskedLm() {
        assertInstanceOf(DistilBertFamily.class, checkpoint.family());
        DistilBertConfig c = assertInstanceOf(DistilBertConfig.class, checkpoint.config());
        assertEquals(new DistilBertConfig(928, 32, 2, 4, 64, "gelu", 128, 0), c);
        assertInstanceOf(DistilBertForMaskedLM.class, mlm);
        assertEquals("DistilBertForMaskedLM", Models.describe(folder).architecture());
        assertEquals("fill-mask", Models.describe(folder).task());
    }

    @Test
    void theFamilyIsChosenByModelTypeElseByArchitectures() throws IOException {
        assertInstanceOf(DistilBertFamily.class, EncoderFamilies.of(JSON.readTree("{\"model_type\": \"distilbert\"}"), "c"));
        assertInstanceOf(DistilBertFamily.class, EncoderFamilies.of(JSON.readTree("{\"architectures\": [\"DistilBertForMaskedLM\"]}"), "c"));
        assertEquals("c: \"architectures\": \"BertForMaskedLM\" is not supported (mlm4j implements \"DistilBertModel\" or \"DistilBertForMaskedLM\" or \"DistilBertForSequenceClassification\" or \"DistilBertForTokenClassification\" or \"DistilBertForQuestionAnswering\")",
                assertThrows(IllegalArgumentException.class, () -> EncoderFamilies.of(
                        JSON.readTree("{\"model_type\": \"distilbert\", \"architectures\": [\"BertForMaskedLM\"]}"), "c")).getMessage());
    }

    @Test
    void eachSentenceAloneMatchesTransformers() {
        for (JsonNode s : expected.get("sentences")) check(List.of(s));
    }

    @Test
    void aPaddedBatchMatchesTransformersOnTheRealTokens() {
        List<JsonNode> batch = new ArrayList<>();
        expected.get("batch").forEach(batch::add);
        check(batch);
    }

    private static void check(List<JsonNode> sentences) {
        List<Encoding> encodings = new ArrayList<>();
        for (JsonNode s : sentences) {
            Encoding e = checkpoint.tokenizer().encode(s.get("text").asText());
            assertArrayEquals(ints(s.get("ids")), e.ids(), s.get("text").asText());
            encodings.add(e);
        }
        Batch batch = Batch.of(encodings);
        EncoderOutput out = mlm.encoder().forward(batch, ForwardOptions.DEFAULT.withAttentions());
        for (int b = 0; b < sentences.size(); b++) {
            JsonNode s = sentences.get(b);
            String text = s.get("text").asText();
            FloatTensor hidden = out.sequence(b);
            JsonNode want = s.get("last_hidden_state");
            for (int i = 0; i < want.size(); i++) {
                for (int j = 0; j < want.get(i).size(); j++) {
                    assertEquals(want.get(i).get(j).asDouble(), hidden.at(i, j), 1e-4, text + " hidden[" + i + "][" + j + "]");
                }
            }
            JsonNode attentions = s.get("attentions");
            assertEquals(attentions.size(), out.attentions().size());
            for (int l = 0; l < attentions.size(); l++) {
                FloatTensor a = out.attentions().get(l)[b];                     // (heads, len, len)
                for (int h = 0; h < attentions.get(l).size(); h++) {
                    JsonNode m = attentions.get(l).get(h);
                    for (int q = 0; q < m.size(); q++) {
                        for (int k = 0; k < m.get(q).size(); k++) {
                            assertEquals(m.get(q).get(k).asDouble(), a.get(h, q, k), 1e-5, text + " attention layer " + l + " head " + h);
                        }
                    }
                }
            }
            for (JsonNode mask : s.get("masks")) {
                int row = batch.offset(b) + mask.get("position").asInt();
                FloatTensor logits = mlm.logits(out, new int[] {row});
                int[] top = top5(logits);
                assertArrayEquals(ints(mask.get("ids")), top, text + " top-5 at " + mask.get("position"));
                for (int i = 0; i < 5; i++) {
                    assertEquals(mask.get("logits").get(i).asDouble(), logits.at(0, top[i]), 1e-4, text + " logit " + i);
                }
            }
        }
    }

    @Test
    void fillMaskThroughModelsEqualsTransformersPipeline() {
        FillMask fill = Models.fillMask(folder.toString());
        for (JsonNode f : expected.get("fill_mask")) {
            List<FillMask.Prediction> got = fill.fill(f.get("text").asText(), FillMask.Options.DEFAULT).get(0).predictions();
            JsonNode want = f.get("predictions");
            assertEquals(want.size(), got.size());
            for (int i = 0; i < want.size(); i++) {
                assertEquals(want.get(i).get("token_str").asText(), got.get(i).tokenStr(), f.get("text").asText());
                assertEquals(want.get(i).get("token").asInt(), got.get(i).token());
                assertEquals(want.get(i).get("score").asDouble(), got.get(i).score(), 1e-4);
            }
        }
    }

    /** Embeddings of a folder without a card: the mean of transformers' last hidden state over the tokens, not normalised. */
    @Test
    void embeddingsAreTheMeanOfTransformersLastHiddenState() {
        JsonNode s = expected.get("sentences").get(8);
        float[] v = Models.embeddings(folder.toString()).embed(s.get("text").asText());
        JsonNode h = s.get("last_hidden_state");
        assertEquals(h.get(0).size(), v.length);
        for (int j = 0; j < v.length; j++) {
            double mean = 0;
            for (JsonNode row : h) mean += row.get(j).asDouble() / h.size();
            assertEquals(mean, v[j], 1e-4, "dimension " + j);
        }
    }

    /** The explorer's public path (ExplorerModel.load on the folder, as ./mlm4j attention does) shows transformers' matrices. */
    @Test
    void theAttentionExplorerShowsTransformersAttention() {
        ExplorerModel explorer = ExplorerModel.load(folder.toString());
        assertEquals(2, explorer.layers());
        assertEquals(4, explorer.heads());
        for (JsonNode s : List.of(expected.get("sentences").get(1), expected.get("sentences").get(3))) {
            AttentionView view = explorer.run(s.get("text").asText(), null, ExplorerOptions.DEFAULT);
            assertArrayEquals(ints(s.get("ids")), view.ids());
            for (int l = 0; l < 2; l++) {
                for (int h = 0; h < 4; h++) {
                    double[][] a = view.attention(l, h);
                    JsonNode m = s.get("attentions").get(l).get(h);
                    for (int q = 0; q < m.size(); q++) {
                        for (int k = 0; k < m.size(); k++) assertEquals(m.get(q).get(k).asDouble(), a[q][k], 1e-5, "layer " + l + " head " + h);
                    }
                }
            }
        }
    }

    @Test
    void sinusoidalPositionsOrAnotherActivationAreOneLineRefusals(@TempDir Path tmp) throws IOException {
        for (String[] bad : new String[][] {{"\"sinusoidal_pos_embds\": false", "\"sinusoidal_pos_embds\": true",
                "\"sinusoidal_pos_embds\": true is not supported (mlm4j implements learned position embeddings, false)"},
                {"\"activation\": \"gelu\"", "\"activation\": \"relu\"", "\"activation\": \"relu\" is not supported (mlm4j implements \"gelu\")"}}) {
            Path dir = Files.createDirectories(tmp.resolve("m" + bad[1].hashCode()));
            for (String f : new String[] {"model.safetensors", "tokenizer.json", "tokenizer_config.json"}) Files.copy(folder.resolve(f), dir.resolve(f));
            String config = Files.readString(folder.resolve("config.json"));
            assertTrue(config.contains(bad[0]), bad[0]);
            Files.writeString(dir.resolve("config.json"), config.replace(bad[0], bad[1]));
            String message = assertThrows(IllegalArgumentException.class, () -> Checkpoint.open(dir)).getMessage();
            assertEquals(dir.resolve("config.json") + ": " + bad[2], message);
            assertEquals(1, message.lines().count());
        }
    }

    private static int[] top5(FloatTensor logits) {
        int[] top = new int[5];
        boolean[] taken = new boolean[logits.dim(1)];
        for (int i = 0; i < 5; i++) {
            int best = -1;
            for (int v = 0; v < logits.dim(1); v++) if (!taken[v] && (best < 0 || logits.at(0, v) > logits.at(0, best))) best = v;
            taken[best] = true;
            top[i] = best;
        }
        return top;
    }

    private static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }
}
