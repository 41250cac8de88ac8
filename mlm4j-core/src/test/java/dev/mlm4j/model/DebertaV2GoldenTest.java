package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlm4j.config.DebertaV2Config;
import dev.mlm4j.config.Precision;
import dev.mlm4j.encoder.DisentangledSelfAttention;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DeBERTa-v3 against transformers on the committed fixture families/deberta-v3-tiny (a seeded random DebertaV2ForMaskedLM
 * in DeBERTa-v3's shape: relative attention with log buckets, share_att_key, p2c|c2p, LayerNorm'd relative embeddings,
 * no absolute positions; its heads' tensors in head-*.safetensors; expected.json from transformers' float32 forward,
 * all made by scripts/reference/families/deberta_v2.py). Token ids come from the goldens (the Unigram tokenizer is read
 * elsewhere): last hidden state within 1e-4, every layer's disentangled attention probabilities within 1e-5, the MLM
 * top-5 equal (logits 1e-4) for both head layouts, the three task heads' logits within 1e-4; sentences one by one and
 * a padded batch (mlm4j packs it, transformers pads).
 */
class DebertaV2GoldenTest {
    private static FamilyFixture f;
    private static MaskedLanguageModel mlm;

    @BeforeAll
    static void load() {
        f = new FamilyFixture("deberta-v3-tiny");
        mlm = f.mlm;
    }

    @Test
    void theFolderIsDebertaV2ByItsModelTypeWithV3sSettings() {
        assertInstanceOf(DebertaV2Family.class, f.family);
        DebertaV2Config c = assertInstanceOf(DebertaV2Config.class, f.config);
        assertEquals(new DebertaV2Config(601, 32, 2, 4, 64, 128, 0, 32, 1e-7, true, 32, 8, false, true, true, true, true, false, 0, 0, "tanh"), c);
        assertEquals(8, c.attentionSpan());
        assertEquals(3, c.scaleFactor());
        assertInstanceOf(DebertaV2ForMaskedLM.class, mlm);
    }

    /** transformers' build_relative_position for every q − k up to 3000 apart, at the tiny fixture's and at DeBERTa-v3-base's settings. */
    @Test
    void relativePositionBucketsEqualTransformers() {
        for (String name : new String[] {"tiny", "v3_base"}) {
            JsonNode r = f.expected.get("relative_positions").get(name);
            int reach = r.get("reach").asInt();
            for (int d = -reach; d <= reach; d++) {
                assertEquals(r.get("bucket").get(d + reach).asInt(), DisentangledSelfAttention.bucket(d, r.get("buckets").asInt(), r.get("max").asInt()),
                        name + " bucket of " + d);
            }
        }
    }

    @Test
    void eachSentenceAloneMatchesTransformers() {
        for (JsonNode s : f.expected.get("sentences")) FamilyGolden.checkEncoderAndMlm(mlm, List.of(s));
    }

    @Test
    void aPaddedBatchMatchesTransformersOnTheRealTokens() {
        FamilyGolden.checkEncoderAndMlm(mlm, FamilyGolden.list(f.expected.get("batch")));
    }


    /**
     * families/deberta-v2-tiny: what DeBERTa-v3 does not use — the convolution after the first layer (conv_act gelu),
     * absolute positions, token types (a text pair), embedding_size 24 < hidden (embed_proj), own pos_key_proj and
     * pos_query_proj, pos_att_type as a "c2p|p2c" string, no buckets (distances clamped at 16), rel_embeddings without
     * LayerNorm, the legacy MLM head over 24-wide embeddings — against transformers in the same way.
     */
    @Test
    void debertaV2sOtherSettingsMatchTransformers() {
        FamilyFixture v2 = new FamilyFixture("deberta-v2-tiny");
        assertEquals(new DebertaV2Config(601, 32, 2, 4, 64, 64, 2, 24, 1e-7, true, 16, -1, true, true, true, false, false, true, 0, 3, "gelu"),
                v2.config);
        for (JsonNode s : v2.expected.get("sentences")) FamilyGolden.checkEncoderAndMlm(v2.mlm, List.of(s));
        FamilyGolden.checkEncoderAndMlm(v2.mlm, FamilyGolden.list(v2.expected.get("batch")));
    }

    /** The legacy head (cls.predictions.*, transformers' default "legacy": true) on the same encoder. */
    @Test
    void theLegacyMaskedLmHeadMatchesTransformers() {
        ObjectNode legacy = f.configJson.deepCopy();
        legacy.put("legacy", true);
        DebertaV2Config c = (DebertaV2Config) f.family.readConfig(legacy, "config.json");
        MaskedLanguageModel m = DebertaV2ForMaskedLM.load(f.withHead("legacy-masked-lm"), c, Precision.FP32);
        for (JsonNode s : f.expected.get("sentences")) {
            EncoderOutput out = m.encoder().forward(FamilyGolden.batch(List.of(s)), ForwardOptions.DEFAULT);
            FamilyFixture.top5(s.get("legacy_masks"), m, out, 0, s.get("text").asText() + " (legacy head)");
        }
        String message = assertThrows(RuntimeException.class, () -> DebertaV2ForMaskedLM.load(f.tensors, c, Precision.FP32)).getMessage();
        assertTrue(message.endsWith("has the masked-LM head under lm_predictions.lm_head.* but config.json's \"legacy\": true names "
                + "cls.predictions.* (set \"legacy\": false in config.json for these weights)"), message);
    }

    @Test
    void itsOwnTokenizerEmbeddingsAndFillMaskEqualTransformers() {
        f.publicPathsEqualTransformers();
    }

    @Test
    void theAttentionExplorerShowsTransformersAttention() {
        FamilyFixture.explorerShowsTransformersAttention(f, mlm, 1, 2, 0);
    }

    @Test
    void sequenceTokenAndSpanHeadsMatchTransformers() {
        SequenceClassifier seq = f.head(Task.SEQUENCE_CLASSIFICATION, "sequence-classification");
        TokenClassifier tok = f.head(Task.TOKEN_CLASSIFICATION, "token-classification");
        QuestionAnswerer qa = f.head(Task.QUESTION_ANSWERING, "question-answering");
        assertEquals(3, seq.numLabels());
        assertEquals(5, tok.numLabels());
        f.headsMatchTransformers(Map.of("sequence_classification", seq), tok, qa);
    }

    @Test
    void whatMlm4jDoesNotComputeIsAOneLineRefusal() {
        for (String[] bad : new String[][] {
                {"conv_groups", "2", "\"conv_groups\": 2 is not supported (mlm4j implements 1)"},
                {"hidden_act", "\"relu\"", "\"hidden_act\": \"relu\" is not supported (mlm4j implements \"gelu\")"},
                {"pos_att_type", "\"p2p|c2p\"", "\"pos_att_type\": \"p2p|c2p\" is not supported (mlm4j implements \"c2p\" and \"p2c\")"}}) {
            ObjectNode c = f.configJson.deepCopy();
            c.set(bad[0], readValue(bad[1]));
            String message = assertThrows(IllegalArgumentException.class, () -> f.family.readConfig(c, "config.json")).getMessage();
            assertEquals("config.json: " + bad[2], message);
        }
    }

    private static JsonNode readValue(String json) {
        try {
            return FamilyGolden.JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
