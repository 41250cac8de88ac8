package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.config.DistilBertConfig;
import dev.mlm4j.explorer.ExplorerModel;
import dev.mlm4j.explorer.ExplorerOptions;
import dev.mlm4j.pipelines.Models;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
    private static final ObjectMapper JSON = FamilyGolden.JSON;
    private static JsonNode expected;
    @RegisterExtension
    static final GoldenCheckpoint golden = new GoldenCheckpoint("distilbert-tiny");

    @BeforeAll
    static void load() {
        expected = FamilyGolden.expected("distilbert-tiny");
    }

    @Test
    void theFolderIsDistilBertByItsConfigAndLoadsTheMaskedLm() {
        assertInstanceOf(DistilBertFamily.class, golden.checkpoint().family());
        DistilBertConfig c = assertInstanceOf(DistilBertConfig.class, golden.checkpoint().config());
        assertEquals(new DistilBertConfig(928, 32, 2, 4, 64, "gelu", 128, 0), c);
        assertInstanceOf(DistilBertForMaskedLM.class, golden.mlm());
        assertEquals("DistilBertForMaskedLM", Models.describe(golden.folder).architecture());
        assertEquals("fill-mask", Models.describe(golden.folder).task());
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
        check(FamilyGolden.list(expected.get("batch")));
    }

    /** The folder's tokenizer gives transformers' ids; then the model path on them ({@link FamilyGolden#checkEncoderAndMlm}). */
    private static void check(List<JsonNode> sentences) {
        for (JsonNode s : sentences) FamilyGolden.assertIds(golden.checkpoint().tokenizer(), s);
        FamilyGolden.checkEncoderAndMlm(golden.mlm(), sentences);
    }

    @Test
    void fillMaskThroughModelsEqualsTransformersPipeline() {
        FamilyGolden.fillMaskEqualsTransformers(golden.folder, expected);
    }

    /** Embeddings of a folder without a card: the mean of transformers' last hidden state over the tokens, not normalised. */
    @Test
    void embeddingsAreTheMeanOfTransformersLastHiddenState() {
        FamilyGolden.embeddingIsTheMeanOfTheLastHiddenState(golden.folder, expected.get("sentences").get(8));
    }

    /** The explorer's public path (ExplorerModel.load on the folder, as ./mlm4j attention does) shows transformers' matrices. */
    @Test
    void theAttentionExplorerShowsTransformersAttention() {
        ExplorerModel explorer = ExplorerModel.load(golden.folder.toString());
        assertEquals(2, explorer.layers());
        assertEquals(4, explorer.heads());
        for (JsonNode s : List.of(expected.get("sentences").get(1), expected.get("sentences").get(3))) {
            FamilyGolden.viewShowsTransformersAttention(explorer.run(s.get("text").asText(), null, ExplorerOptions.DEFAULT), s, 2, 4);
        }
    }

    @Test
    void sinusoidalPositionsOrAnotherActivationAreOneLineRefusals(@TempDir Path tmp) throws IOException {
        for (String[] bad : new String[][] {{"\"sinusoidal_pos_embds\": false", "\"sinusoidal_pos_embds\": true",
                "\"sinusoidal_pos_embds\": true is not supported (mlm4j implements learned position embeddings, false)"},
                {"\"activation\": \"gelu\"", "\"activation\": \"relu\"", "\"activation\": \"relu\" is not supported (mlm4j implements \"gelu\")"}}) {
            Path dir = Files.createDirectories(tmp.resolve("m" + bad[1].hashCode()));
            for (String f : new String[] {"model.safetensors", "tokenizer.json", "tokenizer_config.json"}) Files.copy(golden.folder.resolve(f), dir.resolve(f));
            String config = Files.readString(golden.folder.resolve("config.json"));
            assertTrue(config.contains(bad[0]), bad[0]);
            Files.writeString(dir.resolve("config.json"), config.replace(bad[0], bad[1]));
            String message = assertThrows(IllegalArgumentException.class, () -> Checkpoint.open(dir)).getMessage();
            assertEquals(dir.resolve("config.json") + ": " + bad[2], message);
            assertEquals(1, message.lines().count());
        }
    }
}
