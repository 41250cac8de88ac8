package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Block-by-block parity with an independent float64 numpy BERT on the same weights
 * ({@code shared/golden/bert-base-uncased-blocks.json}): embeddings, every layer's output, two attention
 * rows per layer and the MLM logits. A failure names the sentence, the block and the first mismatch.
 */
class BertGoldenBlocksTest {
    static JsonNode golden;
    static TensorSource source;
    static BertForMaskedLM model;

    @BeforeAll
    static void load() throws Exception {
        golden = new ObjectMapper().readTree(TestModels.sharedFile("golden/bert-base-uncased-blocks.json").toFile());
        source = TestModels.bertBaseUncasedTensors();
        model = BertForMaskedLM.load(source, BertConfig.bertBase(30522));
    }

    @AfterAll
    static void close() {
        if (source != null) source.close();
    }

    static void assertVector(String label, JsonNode expected, FloatTensor actual, int row, int from, double tol) {
        for (int j = 0; j < expected.size(); j++) {
            double e = expected.get(j).asDouble(), a = actual.at(row, from + j);
            if (Math.abs(e - a) > tol) fail(label + ": first mismatch at element " + (from + j) + ": expected " + e + ", got " + a);
        }
    }

    static double sum(FloatTensor t) {
        double s = 0;
        for (float v : t.toArray()) s += v;
        return s;
    }

    @Test
    void everyBlockMatchesTheFloat64Reference() {
        for (JsonNode sentence : golden.get("sentences")) {
            String text = sentence.get("text").asText();
            int[] ids = new int[sentence.get("ids").size()];
            for (int i = 0; i < ids.length; i++) ids[i] = sentence.get("ids").get(i).asInt();
            int n = ids.length;
            Batch batch = Batch.of(new int[][] {ids}, null);
            EncoderOutput out = model.bert().forward(batch, ForwardOptions.DEFAULT.withHiddenStates().withAttentions());

            FloatTensor emb = out.hiddenStates().get(0);
            JsonNode ge = sentence.get("embeddings_output");
            assertVector(text + " / embeddings token0", ge.get("token0_first8"), emb, 0, 0, 1e-4);
            assertVector(text + " / embeddings last token", ge.get("last_token_last8"), emb, n - 1, 768 - 8, 1e-4);
            assertEquals(ge.get("sum").asDouble(), sum(emb), 1e-2, text + " / embeddings sum");

            for (JsonNode layer : sentence.get("layers")) {
                int l = layer.get("layer").asInt();
                String label = text + " / layer " + l;
                FloatTensor h = out.hiddenStates().get(l + 1);
                assertVector(label + " output token0", layer.get("output_token0_first8"), h, 0, 0, 2e-3);
                assertVector(label + " output last token", layer.get("output_last_token_last8"), h, n - 1, 768 - 8, 2e-3);
                assertEquals(layer.get("output_sum").asDouble(), sum(h), 0.5, label + " output sum");
                FloatTensor att = out.attentions().get(l)[0];                   // (heads, n, n)
                assertVector(label + " attention head 0 row 0", layer.get("attention_head0_row0"), att.row(0), 0, 0, 1e-4);
                assertVector(label + " attention head 11 last row", layer.get("attention_head11_last_row"), att.row(11), n - 1, 0, 1e-4);
            }

            JsonNode mlm = sentence.get("mlm");
            int pos = mlm.get("mask_position").asInt();
            FloatTensor logits = model.logits(out, new int[] {pos});
            assertVector(text + " / MLM logits", mlm.get("logits_first8"), logits, 0, 0, 2e-3);
            float max = Float.NEGATIVE_INFINITY;
            for (float v : logits.toArray()) max = Math.max(max, v);
            assertEquals(mlm.get("logits_max").asDouble(), max, 2e-3, text + " / MLM logits max");
        }
    }

    @Test
    void causalMaskChangesEverythingButTheFirstToken() {
        JsonNode sentence = golden.get("sentences").get(0);
        int[] ids = new int[sentence.get("ids").size()];
        for (int i = 0; i < ids.length; i++) ids[i] = sentence.get("ids").get(i).asInt();
        Batch batch = Batch.of(new int[][] {ids}, null);
        var causal = model.bert().forward(batch, ForwardOptions.causal(true).withAttentions());
        var bi = model.bert().forward(batch, ForwardOptions.DEFAULT);
        for (FloatTensor[] layer : causal.attentions()) {
            FloatTensor a = layer[0];
            for (int h = 0; h < a.dim(0); h++) for (int i = 0; i < ids.length; i++) for (int j = i + 1; j < ids.length; j++) {
                assertEquals(0f, a.row(h).at(i, j), "causal attention above the diagonal");
            }
        }
        // Token 0 sees only itself under the causal mask, so its vector differs from the bidirectional one.
        double d0 = 0;
        for (int j = 0; j < 768; j++) d0 = Math.max(d0, Math.abs(causal.lastHiddenState().at(0, j) - bi.lastHiddenState().at(0, j)));
        assertTrue(d0 > 1e-2, "causal and bidirectional [CLS] vectors must differ, max diff " + d0);
    }

    @Test
    void paddingFreeBatchGivesTheSameVectorsAsOneAtATime() {
        List<int[]> all = new java.util.ArrayList<>();
        for (JsonNode s : golden.get("sentences")) {
            int[] ids = new int[s.get("ids").size()];
            for (int i = 0; i < ids.length; i++) ids[i] = s.get("ids").get(i).asInt();
            all.add(ids);
        }
        EncoderOutput together = model.bert().forward(Batch.of(all.toArray(new int[0][]), null), ForwardOptions.DEFAULT);
        for (int s = 0; s < all.size(); s++) {
            EncoderOutput alone = model.bert().forward(Batch.of(new int[][] {all.get(s)}, null), ForwardOptions.DEFAULT);
            float[] a = alone.lastHiddenState().toArray(), b = together.sequence(s).toArray();
            for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-5, "sequence " + s + " element " + i);
        }
    }

}
