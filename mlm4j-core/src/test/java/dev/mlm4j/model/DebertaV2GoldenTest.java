package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DebertaV2Config;
import dev.mlm4j.config.Precision;
import dev.mlm4j.encoder.DisentangledSelfAttention;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

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
        mlm = f.family.head(Task.MASKED_LM).orElseThrow().load(f.tensors, f.config, Precision.FP32);
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
        List<JsonNode> batch = new ArrayList<>();
        f.expected.get("batch").forEach(batch::add);
        FamilyGolden.checkEncoderAndMlm(mlm, batch);
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
        MaskedLanguageModel m = v2.family.head(Task.MASKED_LM).orElseThrow().load(v2.tensors, v2.config, Precision.FP32);
        for (JsonNode s : v2.expected.get("sentences")) FamilyGolden.checkEncoderAndMlm(m, List.of(s));
        List<JsonNode> batch = new ArrayList<>();
        v2.expected.get("batch").forEach(batch::add);
        FamilyGolden.checkEncoderAndMlm(m, batch);
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
        List<JsonNode> all = new ArrayList<>();
        f.expected.get("sentences").forEach(all::add);
        f.expected.get("batch").forEach(all::add);
        Batch batch = FamilyGolden.batch(all);
        Kernels k = Kernels.get();
        FloatTensor seqLogits = seq.logits(k, seq.encoder().forward(batch, ForwardOptions.DEFAULT));
        EncoderOutput tokOut = tok.encoder().forward(batch, ForwardOptions.DEFAULT);
        FloatTensor tokLogits = tok.logits(tokOut);
        FloatTensor span = qa.logits(k, qa.encoder().forward(batch, ForwardOptions.DEFAULT));
        for (int b = 0; b < all.size(); b++) {
            JsonNode s = all.get(b);
            String text = s.get("text").asText();
            for (int j = 0; j < 3; j++) assertEquals(s.get("sequence_classification").get(j).asDouble(), seqLogits.at(b, j), 1e-4, text);
            FamilyGolden.assertClose(s.get("token_classification"), tokLogits.slice(batch.offset(b), batch.length(b)), 1e-4, text + " token logits");
            for (int i = 0; i < batch.length(b); i++) {
                assertEquals(s.get("start_logits").get(i).asDouble(), span.at(batch.offset(b) + i, 0), 1e-4, text + " start " + i);
                assertEquals(s.get("end_logits").get(i).asDouble(), span.at(batch.offset(b) + i, 1), 1e-4, text + " end " + i);
            }
        }
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
