package dev.mlm4j.model;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.DropoutMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A loss that reads the last hidden state at a few rows (an MLM step's labelled rows, a classification step's [CLS])
 * lets BERT's last layer compute its output projection and feed-forward block at those rows only
 * ({@link TrainableEncoder#forwardTraining(Kernels, TrainingState, AttentionMask, int[])}). The reference is the same
 * encoder's full forward and backward in the same run: at those rows the hidden state, and every parameter's gradient
 * for a dLast that is zero elsewhere, must be the same numbers — with dropout on too (the masks at those rows are the
 * full matrix's, {@link DropoutMask#atRows}). The PyTorch parity of the path itself is {@link GradientParityTest}'s
 * (its MLM and classification cases go through it).
 */
class LastLayerRowsTest {
    private static final Batch BATCH = Batch.of(new int[][] {{2, 75, 4, 76, 51, 4, 27, 3, 52, 42, 4, 31, 3}, {2, 4, 76, 48, 52, 87, 3}},
            new int[][] {{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1}, {0, 0, 0, 0, 0, 0, 0}});
    private static final int[] ROWS = {14, 2, 5, 16, 0};   // any order

    private static TrainableEncoder encoder() throws Exception {
        Path dir = Path.of(LastLayerRowsTest.class.getResource("/training/tiny-bert-mlm/config.json").toURI()).getParent();
        try (Checkpoint c = Checkpoint.open(dir)) {
            return ((BertForMaskedLM) c.load(Task.MASKED_LM, Precision.FP32).orElseThrow()).encoder();
        }
    }

    private record Step(FloatTensor last, Map<String, FloatTensor> gradients) {}

    private static Step step(TrainableEncoder e, Dropout dropout, int[] rows) {
        Kernels k = Kernels.get();
        TrainingState s = e.trainingState(BATCH, dropout);
        FloatTensor last = (rows == null ? e.forwardTraining(k, s, AttentionMask.BIDIRECTIONAL) : e.forwardTraining(k, s, AttentionMask.BIDIRECTIONAL, rows)).copy();
        FloatTensor dLast = FloatTensor.zeros(last.dim(0), last.dim(1));
        SplittableRandom random = new SplittableRandom(7);
        for (int r : ROWS) for (int j = 0; j < last.dim(1); j++) dLast.data()[dLast.rowOffset(r) + j] = (float) random.nextGaussian();
        Gradients g = new Gradients();
        e.backward(k, s, dLast, g.prefix(e.scope()));
        return new Step(last, g.all());
    }

    @ParameterizedTest(name = "dropout {0}")
    @ValueSource(doubles = {0, 0.2})
    void theLastLayerAtTheRowsALossReadsGivesTheFullForwardsNumbersThere(double p) throws Exception {
        TrainableEncoder e = encoder();
        Dropout dropout = p == 0 ? Dropout.OFF : new Dropout(p, p, p, 11);
        Step full = step(e, dropout, null), rows = step(e, dropout, ROWS);
        for (int r : ROWS) {
            for (int j = 0; j < full.last.dim(1); j++) {
                assertEquals(full.last.at(r, j), rows.last.at(r, j), 1e-6f, "last hidden state, row " + r + " column " + j);
            }
        }
        assertEquals(full.gradients.keySet(), rows.gradients.keySet());
        int compared = 0;
        for (Map.Entry<String, FloatTensor> g : full.gradients.entrySet()) {
            float[] want = g.getValue().toArray(), got = rows.gradients.get(g.getKey()).toArray();
            double scale = 0;
            for (float v : want) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-6 * Math.max(scale, 1e-3), g.getKey() + "[" + i + "]");
            }
            if (scale > 0) compared++;
        }
        assertTrue(compared > 20, "the gradients compared are not all zero: " + compared);
    }

    /** A state used for a forward on rows, then for a full one, backs the full one out: the rows do not stick to it. */
    @Test
    void aFullForwardAfterOneOnRowsInTheSameStateIsTheFullOne() throws Exception {
        TrainableEncoder e = encoder();
        Kernels k = Kernels.get();
        Step full = step(e, Dropout.OFF, null);
        TrainingState s = e.trainingState(BATCH, Dropout.OFF);
        e.forwardTraining(k, s, AttentionMask.BIDIRECTIONAL, ROWS);
        FloatTensor last = e.forwardTraining(k, s, AttentionMask.BIDIRECTIONAL).copy();
        FloatTensor dLast = FloatTensor.zeros(last.dim(0), last.dim(1));
        java.util.Arrays.fill(dLast.data(), 1f);                                  // every row: stale rows would read five of them
        Gradients g = new Gradients();
        e.backward(k, s, dLast, g.prefix(e.scope()));
        for (int r = 0; r < last.dim(0); r++) {
            for (int j = 0; j < last.dim(1); j++) assertEquals(full.last.at(r, j), last.at(r, j), 0f, "row " + r + " column " + j);
        }
        TrainingState s2 = e.trainingState(BATCH, Dropout.OFF);
        e.forwardTraining(k, s2, AttentionMask.BIDIRECTIONAL);
        Gradients g2 = new Gradients();
        e.backward(k, s2, dLast, g2.prefix(e.scope()));
        for (Map.Entry<String, FloatTensor> want : g2.all().entrySet()) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(want.getValue().toArray(), g.get(want.getKey()).toArray(), want.getKey());
        }
    }

    @Test
    void rowsOutsideTheBatchOrRepeatedAreOneLineErrors() throws Exception {
        TrainableEncoder e = encoder();
        TrainingState s = e.trainingState(BATCH, Dropout.OFF);
        Kernels k = Kernels.get();
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> e.forwardTraining(k, s, AttentionMask.BIDIRECTIONAL, new int[] {3, 20}));
        assertEquals("row 20 outside a batch of 20 tokens", outside.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> e.forwardTraining(k, s, AttentionMask.BIDIRECTIONAL, new int[] {3, 3}));
        assertEquals("row 3 given twice", twice.getMessage());
    }

    @Test
    void aMaskAtSomeRowsDropsWhatTheFullMaskDropsThere() {
        DropoutMask full = new DropoutMask(0.3, 42);
        int n = 37;
        FloatTensor all = FloatTensor.zeros(9, n), some = FloatTensor.zeros(3, n);
        java.util.Arrays.fill(all.data(), 1f);
        java.util.Arrays.fill(some.data(), 1f);
        full.apply(all);
        int[] rows = {8, 1, 4};
        full.atRows(rows).apply(some);
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < n; j++) assertEquals(all.at(rows[i], j), some.at(i, j), 0f, "row " + rows[i] + " column " + j);
        }
    }
}
