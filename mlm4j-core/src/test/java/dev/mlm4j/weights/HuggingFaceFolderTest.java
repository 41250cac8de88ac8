package dev.mlm4j.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.config.Batch;
import dev.mlm4j.model.BertForMaskedLM;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.model.EncoderOutput;
import dev.mlm4j.model.ForwardOptions;
import dev.mlm4j.model.Task;
import dev.mlm4j.tensor.FloatTensor;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A folder written by transformers itself, not by mlm4j's converter: {@code fixtures/hf-tiny-bert} is a tiny random
 * {@code BertForMaskedLM} saved with {@code save_pretrained} (config.json, model.safetensors) and
 * {@code BertTokenizerFast.save_pretrained} (vocab.txt, tokenizer.json), with transformers' own float64 outputs in
 * expected.json (made by scripts/reference/tiny_bert_fixture.py). mlm4j must tokenise as transformers does and compute
 * every hidden value and every logit to float32 accuracy.
 */
class HuggingFaceFolderTest {

    static Path fixture() {
        try {
            return Path.of(HuggingFaceFolderTest.class.getResource("/fixtures/hf-tiny-bert").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readsAndComputesWhatTransformersComputes() throws Exception {
        JsonNode expected = new ObjectMapper().readTree(fixture().resolve("expected.json").toFile());
        double worstHidden = 0, worstLogit = 0;
        try (Checkpoint c = Checkpoint.open(fixture())) {
            BertForMaskedLM model = (BertForMaskedLM) c.load(Task.MASKED_LM).orElseThrow();
            for (JsonNode s : expected.get("sentences")) {
                String text = s.get("text").asText();
                int[] ids = new int[s.get("ids").size()];
                for (int i = 0; i < ids.length; i++) ids[i] = s.get("ids").get(i).asInt();
                assertArrayEquals(ids, c.tokenizer().encode(text).ids(), "token ids of '" + text + "'");
                for (ForwardOptions options : new ForwardOptions[] {ForwardOptions.DEFAULT, ForwardOptions.DEFAULT.withAttentions()}) {
                    EncoderOutput out = model.bert().forward(Batch.of(new int[][] {ids}, null), options);
                    int[] rows = new int[ids.length];
                    for (int i = 0; i < rows.length; i++) rows[i] = i;
                    worstHidden = Math.max(worstHidden, compare(text + " / last hidden state", s.get("last_hidden_state"), out.lastHiddenState(), 1e-5));
                    worstLogit = Math.max(worstLogit, compare(text + " / logits", s.get("logits"), model.logits(out, rows), 1e-5));
                }
            }
        }
        System.out.printf("hf-tiny-bert: max |mlm4j - transformers| hidden %.2e, logits %.2e%n", worstHidden, worstLogit);
    }

    /** Every element within {@code tol}; returns the largest difference. */
    static double compare(String label, JsonNode expected, FloatTensor actual, double tol) {
        assertEquals(expected.size(), actual.dim(0), label + " rows");
        double worst = 0;
        for (int i = 0; i < expected.size(); i++) {
            JsonNode row = expected.get(i);
            assertEquals(row.size(), actual.dim(1), label + " columns");
            for (int j = 0; j < row.size(); j++) {
                double d = Math.abs(row.get(j).asDouble() - actual.at(i, j));
                if (d > tol) fail(label + ": row " + i + " element " + j + ": transformers " + row.get(j).asDouble() + ", mlm4j " + actual.at(i, j));
                worst = Math.max(worst, d);
            }
        }
        return worst;
    }
}
