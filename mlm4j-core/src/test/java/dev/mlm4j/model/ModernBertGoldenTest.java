package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.ModernBertConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ModernBERT against transformers on the committed fixture families/modernbert-tiny (a seeded random ModernBertForMaskedLM:
 * 4 layers full/sliding/sliding/full, local_attention 8 so the window cuts every sequence longer than 5 tokens, rotary
 * θ 160000/10000, no biases but the decoder's; its heads' tensors in head-*.safetensors; expected.json from transformers'
 * float32 eager forward, all made by scripts/reference/families/modernbert.py). Token ids come from the goldens: last
 * hidden state within 1e-4, every layer's attention probabilities within 1e-5 (zero outside the window on local
 * layers), the MLM top-5 equal (logits 1e-4), the heads' logits within 1e-4 (sequence classification pooled by "cls" and
 * by "mean"); sentences one by one and a padded batch (transformers pads and masks, mlm4j packs).
 */
class ModernBertGoldenTest {
    private static FamilyFixture f;
    private static MaskedLanguageModel mlm;

    @BeforeAll
    static void load() {
        f = new FamilyFixture("modernbert-tiny");
        mlm = f.mlm;
    }

    @Test
    void theFolderIsModernBertWithItsLayerPattern() {
        assertInstanceOf(ModernBertFamily.class, f.family);
        ModernBertConfig c = assertInstanceOf(ModernBertConfig.class, f.config);
        List<String> types = new ArrayList<>();
        f.expected.get("layer_types").forEach(t -> types.add(t.asText()));
        assertEquals(types, c.layerTypes());
        assertEquals(List.of("full_attention", "sliding_attention", "sliding_attention", "full_attention"), types);
        assertEquals(4, c.halfWindow());
        assertEquals(160000.0, c.globalRopeTheta());
        assertEquals(10000.0, c.localRopeTheta());
        assertInstanceOf(ModernBertForMaskedLM.class, mlm);
    }

    /** An older config.json (global_attn_every_n_layers, global_rope_theta, local_rope_theta; no layer_types) reads the same. */
    @Test
    void anOlderConfigWithoutLayerTypesReadsTheSame() {
        ObjectNode old = f.configJson.deepCopy();
        old.remove("layer_types");
        old.remove("rope_parameters");
        old.put("global_rope_theta", 160000.0);
        old.put("local_rope_theta", 10000.0);
        assertEquals(f.config, f.family.readConfig(old, "config.json"));
    }

    @Test
    void eachSentenceAloneMatchesTransformers() {
        for (JsonNode s : f.expected.get("sentences")) check(List.of(s));
    }

    @Test
    void aPaddedBatchMatchesTransformersOnTheRealTokens() {
        check(FamilyGolden.list(f.expected.get("batch")));
    }

    private static void check(List<JsonNode> sentences) {
        Batch batch = FamilyGolden.batch(sentences);
        FamilyGolden.checkEncoderAndMlm(mlm, sentences);
        EncoderOutput fast = mlm.encoder().forward(batch, ForwardOptions.DEFAULT);   // tiled global / banded local heads
        for (int b = 0; b < sentences.size(); b++) {
            JsonNode s = sentences.get(b);
            FamilyGolden.assertClose(s.get("last_hidden_state"), fast.sequence(b), 1e-4, s.get("text").asText() + " hidden without capture");
        }
    }

    @Test
    void itsOwnTokenizerEmbeddingsAndFillMaskEqualTransformers() {
        f.publicPathsEqualTransformers();
    }

    @Test
    void theAttentionExplorerShowsTransformersAttention() {
        FamilyFixture.explorerShowsTransformersAttention(f, mlm, 1, 2, 3);
    }

    @Test
    void sequenceTokenAndSpanHeadsMatchTransformers() {
        ObjectNode meanJson = f.configJson.deepCopy();
        meanJson.put("classifier_pooling", "mean");
        ModernBertConfig meanConfig = (ModernBertConfig) f.family.readConfig(meanJson, "config.json");
        SequenceClassifier cls = f.head(Task.SEQUENCE_CLASSIFICATION, "sequence-classification");
        SequenceClassifier mean = f.head(Task.SEQUENCE_CLASSIFICATION, "sequence-classification", meanConfig);
        TokenClassifier tok = f.head(Task.TOKEN_CLASSIFICATION, "token-classification");
        QuestionAnswerer qa = f.head(Task.QUESTION_ANSWERING, "question-answering");
        f.headsMatchTransformers(Map.of("sequence_classification", cls, "sequence_classification_mean", mean), tok, qa);
    }

    @Test
    void whatMlm4jDoesNotComputeIsAOneLineRefusal() {
        for (String[] bad : new String[][] {
                {"hidden_activation", "\"silu\"", "\"hidden_activation\": \"silu\" is not supported (mlm4j implements \"gelu\")"},
                {"classifier_pooling", "\"max\"", "classifier_pooling \"max\" is not supported (mlm4j implements \"cls\" and \"mean\")"},
                {"rope_parameters", "{\"full_attention\": {\"rope_type\": \"yarn\", \"rope_theta\": 1.0}}",
                        "\"rope_parameters\": \"full_attention\": \"rope_type\": \"yarn\" is not supported (mlm4j implements \"default\")"}}) {
            ObjectNode c = f.configJson.deepCopy();
            try {
                c.set(bad[0], FamilyGolden.JSON.readTree(bad[1]));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            String message = assertThrows(IllegalArgumentException.class, () -> f.family.readConfig(c, "config.json")).getMessage();
            assertEquals("config.json: " + bad[2], message);
            assertTrue(message.lines().count() == 1);
        }
    }
}
