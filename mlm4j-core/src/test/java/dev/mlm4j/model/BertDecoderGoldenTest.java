package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static dev.mlm4j.JsonArrays.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A causal BERT (config.json {@code "is_decoder": true}, {@code "architectures": ["BertLMHeadModel"]}, what
 * {@code ./mlm4j train clm} writes) against transformers on the committed fixture training/tiny-bert-decoder (a seeded
 * random BertLMHeadModel, hidden 32, 2 layers, saved by save_pretrained; expected.json from transformers' float32 eager
 * forward, both made by scripts/reference/training/lm_head_model.py): every hidden state and the logits within 1e-4,
 * with the forward asked for bidirectional attention — the config makes every layer causal, as transformers'
 * get_extended_attention_mask does for is_decoder.
 */
class BertDecoderGoldenTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path fixture() {
        try {
            return Path.of(BertDecoderGoldenTest.class.getResource("/training/tiny-bert-decoder/config.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertRowsEqual(JsonNode want, FloatTensor got, String what) {
        assertEquals(want.size(), got.dim(0), what);
        for (int r = 0; r < want.size(); r++) {
            for (int c = 0; c < want.get(r).size(); c++) {
                assertEquals(want.get(r).get(c).asDouble(), got.data()[got.rowOffset(r) + c], 1e-4, what + " row " + r + " col " + c);
            }
        }
    }

    @Test
    void hiddenStatesAndLogitsEqualTransformersBertLmHeadModel() throws Exception {
        JsonNode expected = JSON.readTree(fixture().resolve("expected.json").toFile());
        try (Checkpoint c = Checkpoint.open(fixture())) {
            assertTrue(c.family().architectures().contains("BertLMHeadModel"));
            BertConfig config = assertInstanceOf(BertConfig.class, c.config());
            assertTrue(config.isDecoder());
            MaskedLanguageModel m = c.load(Task.MASKED_LM, Precision.FP32).orElseThrow();
            int compared = 0;
            for (JsonNode s : expected.get("sequences")) {
                int[] ids = ints(s.get("ids"));
                Batch batch = Batch.of(new int[][] {ids}, new int[][] {ints(s.get("token_types"))});
                EncoderOutput out = m.encoder().forward(Kernels.get(), batch, ForwardOptions.DEFAULT.withHiddenStates());
                assertEquals(3, out.hiddenStates().size());
                for (int l = 0; l < 3; l++) assertRowsEqual(s.get("hidden_states").get(l), out.hiddenStates().get(l), "hidden state " + l);
                assertRowsEqual(s.get("logits"), m.logits(out, IntStream.range(0, ids.length).toArray()), "logits");
                compared++;
            }
            assertEquals(2, compared);
        }
    }

    /** Training under is_decoder is causal too: the loss asked bidirectionally equals the loss asked causally, bit for bit. */
    @Test
    void theTrainingForwardOfADecoderIsCausalWhateverIsAsked() throws Exception {
        Batch batch = Batch.of(new int[][] {{2, 40, 41, 42, 43, 3}, {2, 50, 51, 3}}, null);
        int[] labels = {-100, 41, -100, 43, -100, -100, -100, 50, -100, -100};
        try (Checkpoint c = Checkpoint.open(fixture())) {
            BertForMaskedLM m = (BertForMaskedLM) c.load(Task.MASKED_LM, Precision.FP32).orElseThrow();
            double asked = m.lossAndGradients(Kernels.get(), batch, labels, new Gradients(), AttentionMask.BIDIRECTIONAL, Dropout.OFF);
            double causal = m.lossAndGradients(Kernels.get(), batch, labels, new Gradients(), AttentionMask.CAUSAL, Dropout.OFF);
            assertEquals(causal, asked);
        }
    }

    @Test
    void fillMaskOnACausalLmIsAOneLineRefusal() {
        String message = assertThrows(IllegalArgumentException.class, () -> Models.fillMask(fixture().toString())).getMessage();
        assertEquals("model " + fixture() + " is a causal language model (config.json: \"is_decoder\": true, BertLMHeadModel): "
                + "it predicts the next token from the left, not a masked one, so it cannot fill masks", message);
        assertEquals("text-generation", Models.describe(fixture()).task());
    }

    @Test
    void isDecoderIsRefusedOutsideBert() throws Exception {
        JsonNode roberta = JSON.readTree("{\"model_type\": \"roberta\", \"is_decoder\": true}");
        String message = assertThrows(IllegalArgumentException.class, () -> EncoderFamilies.of(roberta, "c").readConfig(roberta, "c")).getMessage();
        assertEquals("c: \"is_decoder\": true is not supported for roberta (mlm4j implements the causal decoder for BERT only)", message);
        assertEquals(List.of(false, true), List.of(BertConfig.fromJson(JSON.readTree("{}"), "c").isDecoder(),
                BertConfig.fromJson(JSON.readTree("{\"is_decoder\": true}"), "c").isDecoder()));
    }
}
