package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.ElectraConfig;
import dev.mlm4j.explorer.ExplorerModel;
import dev.mlm4j.explorer.ExplorerOptions;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.ReplacedTokenDetection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * ELECTRA against transformers on the committed fixture families/electra-tiny (a seeded random ElectraForMaskedLM, the
 * generator: embedding_size 16 projected to hidden 32, 2 layers) and its heads on the same encoder weights
 * (families/electra-tiny-{pretraining,sequence-classification,token-classification,question-answering}); expected.json
 * from transformers' float32 eager forward, all made by scripts/reference/families/encoders.py. Its tokenizer is BERT's
 * WordPiece, so the whole path runs: token ids equal, last hidden state within 1e-4, attention probabilities within
 * 1e-5, MLM top-5 equal (logits within 1e-4), every head's logits within 1e-4 (the discriminator's one per token), and
 * transformers' fill-mask pipeline through {@link Models#fillMask}.
 */
class ElectraGoldenTest {
    private static final JsonNode EXPECTED = FamilyGolden.expected("electra-tiny");
    @RegisterExtension
    static final GoldenCheckpoint golden = new GoldenCheckpoint("electra-tiny");

    @Test
    void theFolderIsElectraByItsConfigAndLoadsTheGenerator() {
        assertInstanceOf(ElectraFamily.class, golden.checkpoint().family());
        ElectraConfig c = assertInstanceOf(ElectraConfig.class, golden.checkpoint().config());
        assertEquals(new ElectraConfig(new BertConfig(928, 32, 2, 4, 64, "gelu", 64, 2, 1e-12, 0), 16), c);
        assertInstanceOf(ElectraForMaskedLM.class, golden.mlm());
        assertEquals("ElectraForMaskedLM", Models.describe(golden.folder).architecture());
        assertEquals("fill-mask", Models.describe(golden.folder).task());
    }

    @Test
    void eachSentenceAloneMatchesTransformers() {
        for (JsonNode s : EXPECTED.get("sentences")) {
            FamilyGolden.assertIds(golden.checkpoint().tokenizer(), s);
            FamilyGolden.checkEncoderAndMlm(golden.mlm(), List.of(s));
        }
    }

    @Test
    void aPaddedBatchMatchesTransformersOnTheRealTokens() {
        FamilyGolden.checkEncoderAndMlm(golden.mlm(), FamilyGolden.list(EXPECTED.get("batch")));
    }

    /** ElectraClassificationHead is dense → GELU → out_proj on the first token; token classification and QA a linear layer per token. */
    @Test
    void theHeadsMatchTransformers() {
        try (FamilyGolden g = FamilyGolden.open("electra-tiny")) {
            for (JsonNode s : EXPECTED.get("sentences")) g.checkHeads(List.of(s), "electra");
            g.checkHeads(FamilyGolden.list(EXPECTED.get("batch")), "electra");
        }
    }

    /** ElectraForPreTraining: discriminator_predictions dense → GELU → dense_prediction, one logit per token. */
    @Test
    void theDiscriminatorGivesTransformersReplacedTokenLogits() {
        try (FamilyGolden g = FamilyGolden.open("electra-tiny-pretraining")) {
            ReplacedTokenDetector d = g.load(Task.REPLACED_TOKEN_DETECTION);
            List<JsonNode> sentences = FamilyGolden.list(EXPECTED.get("batch"));
            Batch batch = FamilyGolden.batch(sentences);
            float[] logits = d.logits(Kernels.get(), d.encoder().forward(batch, ForwardOptions.DEFAULT));
            for (int b = 0; b < sentences.size(); b++) {
                JsonNode want = sentences.get(b).get("pretraining");
                assertEquals(want.size(), batch.length(b));
                for (int i = 0; i < want.size(); i++) assertEquals(want.get(i).asDouble(), logits[batch.offset(b) + i], 1e-4, "token " + i);
            }
        }
    }

    @Test
    void textClassificationOnTheHeadFolderGivesTransformersLogits() {
        FamilyGolden.textClassificationGivesTransformersLogits(FamilyGolden.folder("electra-tiny-sequence-classification"), EXPECTED);
    }

    @Test
    void fillMaskThroughModelsEqualsTransformersPipeline() {
        FamilyGolden.fillMaskEqualsTransformers(golden.folder, EXPECTED);
    }

    /** The explorer's public path (as ./mlm4j attention) shows transformers' matrices. */
    @Test
    void theAttentionExplorerShowsTransformersAttention() {
        ExplorerModel explorer = ExplorerModel.load(golden.folder.toString());
        JsonNode s = EXPECTED.get("sentences").get(1);
        FamilyGolden.viewShowsTransformersAttention(explorer.run(s.get("text").asText(), null, ExplorerOptions.DEFAULT), s, 2, 4);
    }

    /** A bare ElectraModel's folder (keys embeddings.*, embeddings_project.*, encoder.*) is the same encoder. */
    @Test
    void aBareBaseModelFolderIsTheSameEncoder() {
        try (FamilyGolden g = FamilyGolden.open("electra-tiny-bare")) {
            FamilyGolden.checkEncoder(g.load(Task.ENCODER), FamilyGolden.list(EXPECTED.get("batch")));
        }
    }

    /** Models.replacedTokenDetection: sigmoid of the discriminator's logit for every token but [CLS] and [SEP]. */
    @Test
    void replacedTokenDetectionGivesTheDiscriminatorsProbabilities() {
        Path pretraining = FamilyGolden.folder("electra-tiny-pretraining");
        assertEquals("replaced-token-detection", Models.describe(pretraining).task());
        ReplacedTokenDetection detection = Models.replacedTokenDetection(pretraining.toString(), null, dev.mlm4j.config.Precision.FP32);
        for (JsonNode s : EXPECTED.get("sentences")) {
            List<ReplacedTokenDetection.Token> got = detection.detect(s.get("text").asText());
            JsonNode logits = s.get("pretraining");
            assertEquals(logits.size() - 2, got.size(), "every token but [CLS] and [SEP]");
            for (int i = 0; i < got.size(); i++) {
                double want = 1 / (1 + Math.exp(-logits.get(i + 1).asDouble()));
                assertEquals(want, got.get(i).probability(), 1e-5, s.get("text").asText() + " token " + i);
                assertEquals(want > 0.5, got.get(i).replaced());
            }
        }
        assertEquals("the", detection.detect("the movie").get(0).token());
        String message = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Models.replacedTokenDetection(golden.folder.toString(), null, dev.mlm4j.config.Precision.FP32)).getMessage();
        assertEquals("model '" + golden.folder + "' is a ElectraForMaskedLM, not a replaced-token detector (ELECTRA discriminator)"
                + " (config.json's architectures): it cannot detect replaced tokens", message);
    }
}
