package dev.mlm4j.layers;

import dev.mlm4j.tensor.FloatTensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.mlm4j.kernels.FiniteDifferences.doubles;
import static dev.mlm4j.kernels.FiniteDifferences.numeric;
import static dev.mlm4j.layers.BackwardLayersTest.assertGradient;
import static dev.mlm4j.layers.BackwardLayersTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link MeanSquaredError} and {@link BinaryCrossEntropyWithLogits}, the losses of transformers' regression and
 * multi-label sequence classifiers: values worked out by hand, gradients against double-precision central differences
 * of an independent double forward. (Against PyTorch, through a whole BERT: GradientParityTest.)
 */
class RegressionAndMultiLabelLossTest {

    @Test
    void meanSquaredErrorByHand() {
        // (1 − 0)², (2 − 4)², (−1 − (−1))², (0.5 − 1.5)² → (1 + 4 + 0 + 1) / 4 = 1.5; gradient 2 (x − y) / 4
        FloatTensor logits = FloatTensor.wrap(new float[] {1, 2, -1, 0.5f}, 2, 2), d = FloatTensor.zeros(2, 2);
        assertEquals(1.5, MeanSquaredError.lossAndGradient(logits, new float[] {0, 4, -1, 1.5f}, d), 0);
        assertArrayEquals(new float[] {0.5f, -1f, 0f, -0.5f}, d.toArray());
        assertThrows(IllegalArgumentException.class, () -> MeanSquaredError.lossAndGradient(logits, new float[3], d));
    }

    @Test
    void meanSquaredErrorMatchesCentralDifferences() {
        Random rnd = new Random(11);
        for (int[] shape : new int[][] {{5, 1}, {3, 4}}) {
            int m = shape[0], n = shape[1];
            FloatTensor logits = random(rnd, m, n), d = FloatTensor.zeros(m, n);
            float[] y = random(rnd, m * n).toArray();
            double loss = MeanSquaredError.lossAndGradient(logits, y, d);
            double[] z = doubles(logits);
            assertEquals(mse(z, y), loss, 1e-12);
            assertGradient("dlogits " + m + "x" + n, numeric(z, v -> mse(v, y)), d.toArray(), 1e-6);
        }
    }

    @Test
    void binaryCrossEntropyByHand() {
        // logit 0: σ = ½, loss log 2 whatever the target; logit ln 3: σ = ¾, target 1 → −log ¾, target 0 → −log ¼
        float ln3 = (float) Math.log(3);
        FloatTensor logits = FloatTensor.wrap(new float[] {0, ln3, ln3, 0}, 2, 2), d = FloatTensor.zeros(2, 2);
        double want = (Math.log(2) - Math.log(0.75) - Math.log(0.25) + Math.log(2)) / 4;
        assertEquals(want, BinaryCrossEntropyWithLogits.lossAndGradient(logits, new float[] {1, 1, 0, 0}, d), 1e-7);
        assertArrayEquals(new float[] {(0.5f - 1) / 4, (0.75f - 1) / 4, 0.75f / 4, 0.5f / 4}, d.toArray(), 1e-7f);
    }

    @Test
    void binaryCrossEntropyIsStableForLargeLogitsAndMatchesCentralDifferences() {
        FloatTensor big = FloatTensor.wrap(new float[] {200, -200}, 1, 2), d = FloatTensor.zeros(1, 2);
        assertEquals(0, BinaryCrossEntropyWithLogits.lossAndGradient(big, new float[] {1, 0}, d), 1e-12, "confident and right");
        assertEquals(200, BinaryCrossEntropyWithLogits.lossAndGradient(big, new float[] {0, 1}, d), 1e-9, "confident and wrong: finite, (200 + 200) / 2");
        assertArrayEquals(new float[] {0.5f, -0.5f}, d.toArray(), 1e-7f);

        Random rnd = new Random(12);
        int m = 3, n = 4;
        FloatTensor logits = random(rnd, m, n);
        FloatTensor g = FloatTensor.zeros(m, n);
        float[] y = new float[m * n];
        for (int i = 0; i < y.length; i++) y[i] = i % 3 == 0 ? 1 : i % 3 == 1 ? 0 : 0.3f;   // multi-hot, and a soft target
        double loss = BinaryCrossEntropyWithLogits.lossAndGradient(logits, y, g);
        double[] z = doubles(logits);
        assertEquals(bce(z, y), loss, 1e-12);
        assertGradient("dlogits", numeric(z, v -> bce(v, y)), g.toArray(), 1e-6);
    }

    private static double mse(double[] x, float[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) s += (x[i] - y[i]) * (x[i] - y[i]);
        return s / x.length;
    }

    /** The textbook form, −[y log σ(x) + (1 − y) log(1 − σ(x))], for moderate x. */
    private static double bce(double[] x, float[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            double p = 1 / (1 + Math.exp(-x[i]));
            s -= y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p);
        }
        return s / x.length;
    }
}
