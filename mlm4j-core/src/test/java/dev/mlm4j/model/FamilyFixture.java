package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.EncoderConfig;
import dev.mlm4j.explorer.AttentionView;
import dev.mlm4j.explorer.ExplorerModel;
import dev.mlm4j.explorer.ExplorerOptions;
import dev.mlm4j.pipelines.FillMask;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorInfo;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.safetensors.SafetensorsCheckpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A families/NAME-tiny fixture read without its tokenizer (the goldens give token ids): config.json through the family,
 * model.safetensors, a head file beside it joined to the encoder's tensors, and the comparisons every family's golden
 * test makes against expected.json (transformers' float32 eager outputs).
 */
final class FamilyFixture {
    static final ObjectMapper JSON = new ObjectMapper();
    final Path folder;
    final JsonNode expected, configJson;
    final EncoderFamily family;
    final EncoderConfig config;
    final TensorSource tensors;

    FamilyFixture(String name) {
        try {
            folder = Path.of(FamilyFixture.class.getResource("/families/" + name + "/config.json").toURI()).getParent();
            expected = JSON.readTree(folder.resolve("expected.json").toFile());
            configJson = JSON.readTree(folder.resolve("config.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        family = EncoderFamilies.of(configJson, "config.json");
        config = family.readConfig(configJson, "config.json");
        tensors = SafetensorsCheckpoint.open(folder);
        family.checkAgainst(config, tensors);
    }

    /** The encoder's tensors and those of {@code head-NAME.safetensors}, as one checkpoint of that head would have them. */
    TensorSource withHead(String head) {
        TensorSource extra = SafetensorsCheckpoint.open(folder.resolve("head-" + head + ".safetensors"));
        return new TensorSource() {
            public String origin() {
                return tensors.origin() + " + " + extra.origin();
            }

            public Set<String> names() {
                Set<String> all = new LinkedHashSet<>(tensors.names());
                all.addAll(extra.names());
                return all;
            }

            public TensorInfo info(String n) {
                return extra.contains(n) ? extra.info(n) : tensors.info(n);
            }

            public FloatTensor load(String n) {
                return extra.contains(n) ? extra.load(n) : tensors.load(n);
            }
        };
    }

    /** The packed batch of the goldens' token ids (and token type ids where given). */
    static Batch batch(List<JsonNode> sentences) {
        int[][] ids = new int[sentences.size()][], types = new int[sentences.size()][];
        for (int s = 0; s < ids.length; s++) {
            ids[s] = ints(sentences.get(s).get("ids"));
            if (sentences.get(s).has("type_ids")) types[s] = ints(sentences.get(s).get("type_ids"));
        }
        return Batch.of(ids, types);
    }

    /** Every row of {@code want} (rows × columns) within {@code tolerance} of {@code got}'s first rows. */
    static void close(JsonNode want, FloatTensor got, double tolerance, String what) {
        for (int i = 0; i < want.size(); i++) {
            for (int j = 0; j < want.get(i).size(); j++) {
                assertEquals(want.get(i).get(j).asDouble(), got.at(i, j), tolerance, what + "[" + i + "][" + j + "]");
            }
        }
    }

    /** Last hidden state within 1e-4, every layer's and head's attention probabilities within 1e-5, sequence {@code b} of {@code out}. */
    static void hiddenAndAttentions(JsonNode s, EncoderOutput out, int b) {
        String text = s.get("text").asText();
        close(s.get("last_hidden_state"), out.sequence(b), 1e-4, text + " hidden");
        JsonNode attentions = s.get("attentions");
        assertEquals(attentions.size(), out.attentions().size());
        for (int l = 0; l < attentions.size(); l++) {
            FloatTensor a = out.attentions().get(l)[b];
            for (int h = 0; h < attentions.get(l).size(); h++) {
                close(attentions.get(l).get(h), a.row(h), 1e-5, text + " attention layer " + l + " head " + h);
            }
        }
    }

    /** The MLM top-5 ids equal and their logits within 1e-4, at each of {@code masks}' positions of sequence {@code b}. */
    static void top5(JsonNode masks, MaskedLanguageModel mlm, EncoderOutput out, int b, String what) {
        for (JsonNode mask : masks) {
            FloatTensor logits = mlm.logits(out, new int[] {out.batch().offset(b) + mask.get("position").asInt()});
            int[] top = top5(logits);
            assertArrayEquals(ints(mask.get("ids")), top, what + " top-5 at " + mask.get("position"));
            for (int i = 0; i < 5; i++) assertEquals(mask.get("logits").get(i).asDouble(), logits.at(0, top[i]), 1e-4, what + " logit " + i);
        }
    }

    /**
     * The folder through the public paths with its own tokenizer.json: {@link Checkpoint#open} tokenizes every golden
     * text to transformers' ids, and {@link Models#fillMask} equals transformers' fill-mask pipeline (tokens exact,
     * scores within 1e-4).
     */
    void publicPathsEqualTransformers() {
        try (Checkpoint c = Checkpoint.open(folder)) {
            assertEquals(family.getClass(), c.family().getClass());
            for (String group : new String[] {"sentences", "batch"}) {
                for (JsonNode s : expected.get(group)) {
                    if (s.has("type_ids")) continue;
                    assertArrayEquals(ints(s.get("ids")), c.tokenizer().encode(s.get("text").asText()).ids(), s.get("text").asText());
                }
            }
        }
        JsonNode s = expected.get("sentences").get(2);           // embeddings of a folder without a card: the mean of the last hidden state
        float[] v = Models.embeddings(folder.toString()).embed(s.get("text").asText());
        JsonNode h = s.get("last_hidden_state");
        for (int j = 0; j < v.length; j++) {
            double mean = 0;
            for (JsonNode row : h) mean += row.get(j).asDouble() / h.size();
            assertEquals(mean, v[j], 1e-4, "embedding dimension " + j);
        }
        FillMask fill = Models.fillMask(folder.toString());
        for (JsonNode f : expected.get("fill_mask")) {
            List<FillMask.Prediction> got = fill.fill(f.get("text").asText(), FillMask.Options.DEFAULT).get(0).predictions();
            JsonNode want = f.get("predictions");
            assertEquals(want.size(), got.size());
            for (int i = 0; i < want.size(); i++) {
                assertEquals(want.get(i).get("token").asInt(), got.get(i).token(), f.get("text").asText());
                assertEquals(want.get(i).get("token_str").asText(), got.get(i).tokenStr(), f.get("text").asText());
                assertEquals(want.get(i).get("score").asDouble(), got.get(i).score(), 1e-4);
            }
        }
    }

    /** The attention explorer, unchanged, shows transformers' matrices for this family (fed the golden ids through a stand-in tokenizer). */
    static void explorerShowsTransformersAttention(FamilyFixture f, MaskedLanguageModel mlm, int cls, int sep, int pad) {
        ExplorerModel explorer = ExplorerModel.of("tiny", mlm, new IdsTokenizer(mlm.vocabSize(), cls, sep, pad, f.expected.get("mask_token_id").asInt()), 0);
        assertEquals(f.config.numHiddenLayers(), explorer.layers());
        assertEquals(f.config.numAttentionHeads(), explorer.heads());
        for (JsonNode s : f.expected.get("sentences")) {
            AttentionView view = explorer.run(IdsTokenizer.text(ints(s.get("ids"))), null, ExplorerOptions.DEFAULT);
            assertArrayEquals(ints(s.get("ids")), view.ids());
            for (int l = 0; l < explorer.layers(); l++) {
                for (int h = 0; h < explorer.heads(); h++) {
                    double[][] a = view.attention(l, h);
                    JsonNode m = s.get("attentions").get(l).get(h);
                    for (int q = 0; q < m.size(); q++) {
                        for (int k = 0; k < m.size(); k++) assertEquals(m.get(q).get(k).asDouble(), a[q][k], 1e-5, "layer " + l + " head " + h);
                    }
                }
            }
        }
    }

    static int[] top5(FloatTensor logits) {
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

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }
}
