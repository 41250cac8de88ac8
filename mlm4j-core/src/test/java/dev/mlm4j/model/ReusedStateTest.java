package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.tensor.Gradients;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Arrays;

import static dev.mlm4j.JsonArrays.intRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training step in memory a larger step left behind gives the numbers a fresh model gives, bit for bit. The training
 * state is sized once and reused (issue 18's memory), and its activation buffers are not zero-filled between steps
 * (566 MB of writes a MiniLM step at 32 × 128): every float a step reads must be one it wrote. Here the first step runs
 * the fixture's sequences twice over, so the second step — the last sequence alone, dropout on — finds other tokens'
 * activations and gradients in every buffer; any read of one would change a gradient. For each family's encoder and
 * each head's path (the MLM and classification heads run BERT's last layer at a few rows only).
 */
class ReusedStateTest {
    private static final Dropout DROPOUT = new Dropout(0.1, 0.1, 0.1, 7);

    private record Loaded(Trainable model, Batch large, int[] largeLabels, Batch small, int[] smallLabels) {}

    private static Task<?> task(String fixture) {
        return fixture.endsWith("mlm") ? Task.MASKED_LM : fixture.contains("classify") ? Task.SEQUENCE_CLASSIFICATION : Task.TOKEN_CLASSIFICATION;
    }

    private static Loaded load(String fixture) throws Exception {
        Path dir = Path.of(ReusedStateTest.class.getResource("/training/" + fixture + "/config.json").toURI()).getParent();
        JsonNode json = new ObjectMapper().readTree(dir.resolve("batch.json").toFile());
        int[][] ids = intRows(json.get("ids")), types = intRows(json.get("token_types")), labels = intRows(json.get("labels"));
        int n = ids.length, last = n - 1;
        int[][] twiceIds = new int[2 * n][], twiceTypes = new int[2 * n][], twiceLabels = new int[2 * n][];
        for (int i = 0; i < 2 * n; i++) {
            twiceIds[i] = ids[i % n];
            twiceTypes[i] = types[i % n];
            twiceLabels[i] = labels[i % n];
        }
        try (Checkpoint c = Checkpoint.open(dir)) {
            Trainable model = (Trainable) c.load(task(fixture), Precision.FP32).orElseThrow();
            return new Loaded(model, Batch.of(twiceIds, twiceTypes), flat(twiceLabels),
                    Batch.of(new int[][] {ids[last]}, new int[][] {types[last]}), labels[last]);
        }
    }

    private static int[] flat(int[][] rows) {
        return Arrays.stream(rows).flatMapToInt(Arrays::stream).toArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-bert-mlm", "tiny-bert-classify", "tiny-bert-tag", "families/distilbert-mlm", "families/distilbert-classify",
            "families/electra-tag", "families/roberta-mlm", "deberta/mlm", "deberta/v2-conv-mlm", "deberta/classify", "deberta/tag",
            "modernbert/mlm", "modernbert/classify", "modernbert/classify-mean", "modernbert/tag"})
    void aStepInALargerStepsMemoryGivesAFreshModelsNumbers(String fixture) throws Exception {
        Loaded reused = load(fixture), fresh = load(fixture);
        Gradients first = new Gradients(), second = new Gradients(), want = new Gradients();
        double firstLoss = reused.model.lossAndGradients(Kernels.get(), reused.large, reused.largeLabels, first, DROPOUT);
        assertTrue(Double.isFinite(firstLoss), "the larger step ran: " + firstLoss);
        double got = reused.model.lossAndGradients(Kernels.get(), reused.small, reused.smallLabels, second, DROPOUT);
        double expected = fresh.model.lossAndGradients(Kernels.get(), fresh.small, fresh.smallLabels, want, DROPOUT);
        assertEquals(expected, got, "loss");
        assertEquals(want.all().keySet(), second.all().keySet());
        int nonZero = 0;
        for (String name : want.all().keySet()) {
            float[] w = want.get(name).toArray(), g = second.get(name).toArray();
            assertTrue(Arrays.equals(w, g), name);
            for (float v : w) if (v != 0) { nonZero++; break; }
        }
        assertTrue(nonZero > want.all().size() / 2, "most gradients are not zero: " + nonZero + " of " + want.all().size());
    }
}
