package dev.mlm4j.model;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.DropoutMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.ScalarKernels;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training dropout (issue 18): the masks' statistics, determinism by seed, and the backward through the masks — the
 * gradient a step returns with dropout on is the derivative of that step's own loss (directional central differences
 * over every parameter at once), on the tiny fixtures of {@code training/} (scripts/reference/training/gradient_parity.py).
 */
class DropoutTest {

    @Test
    void aMaskDropsAboutPOfTheElementsAndScalesTheRestSoTheMeanStays() {
        for (double p : new double[] {0.1, 0.5}) {
            DropoutMask mask = new DropoutMask(p, 12345);
            int n = 1_000_000, dropped = 0;
            FloatTensor x = FloatTensor.zeros(1000, 1000);
            Arrays.fill(x.data(), 1f);
            mask.apply(x);
            double sum = 0;
            for (float v : x.data()) {
                if (v == 0f) dropped++;
                else assertEquals(1 / (1 - p), v, 1e-6, "a kept element is scaled by 1/(1 − p)");
                sum += v;
            }
            double sigma = Math.sqrt(n * p * (1 - p));
            assertTrue(Math.abs(dropped - n * p) < 5 * sigma, "dropped " + dropped + " of " + n + " at p = " + p);
            assertEquals(1.0, sum / n, 5 * sigma / n / (1 - p), "the mean is kept");
            // neighbours are independent: the fraction of dropped pairs (i, i + 1) is p²
            int pairs = 0;
            for (int i = 0; i + 1 < n; i++) if (!mask.keep(i) && !mask.keep(i + 1)) pairs++;
            assertEquals(p * p, pairs / (double) (n - 1), 5 * Math.sqrt(p * p * (1 - p * p) / n), "pairs dropped together");
        }
        assertTrue(DropoutMask.NONE.isNone() && DropoutMask.NONE.keep(7));
        assertThrows(IllegalArgumentException.class, () -> new DropoutMask(1.0, 0));
    }

    @Test
    void masksAreFixedByTheirKeyAndDifferBetweenKeysSitesAndSteps() {
        DropoutMask a = new DropoutMask(0.3, 99), b = new DropoutMask(0.3, 99), c = new DropoutMask(0.3, 100);
        int same = 0, differ = 0;
        for (int i = 0; i < 10_000; i++) {
            assertEquals(a.keep(i), b.keep(i));
            if (a.keep(i) != c.keep(i)) differ++;
            if (a.keep(i) == a.child(1).keep(i)) same++;
        }
        assertTrue(differ > 1000, "another key, another mask");
        assertTrue(same < 9000, "a child is another stream");
        Dropout d = Dropout.bert(7);
        assertNotEquals(d.next(1).seed(), d.next(2).seed());
        assertEquals(d.next(1), Dropout.bert(7).next(1));
        assertNotEquals(sites(d.attentionOutput(0)), sites(d.output(0)));
        assertNotEquals(sites(d.output(0)), sites(d.output(1)));
        assertTrue(Dropout.OFF.isOff() && Dropout.OFF.embeddings().isNone() && Dropout.OFF.next(3) == Dropout.OFF);
    }

    private static String sites(DropoutMask m) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 64; i++) s.append(m.keep(i) ? '1' : '0');
        return s.toString();
    }

    private interface Model {
        Trainable load(Checkpoint c);
    }

    private static Trainable load(String fixture, Task task) throws Exception {
        Path dir = Path.of(DropoutTest.class.getResource("/training/" + fixture + "/config.json").toURI()).getParent();
        try (Checkpoint c = Checkpoint.open(dir)) {
            return (Trainable) c.load(task, Precision.FP32).orElseThrow();
        }
    }

    private record Case(Trainable model, Batch batch, int[] labels) {}

    private static Case fixture(String which) throws Exception {
        Batch batch = Batch.of(new int[][] {{2, 75, 4, 76, 51, 4, 27, 3, 52, 42, 4, 31, 3}, {2, 4, 76, 48, 52, 87, 3}},
                new int[][] {{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1}, {0, 0, 0, 0, 0, 0, 0}});
        return switch (which) {
            case "classify" -> new Case(load("tiny-bert-classify", Task.SEQUENCE_CLASSIFICATION), batch, new int[] {2, 0});
            case "tag" -> {
                int[] labels = new int[batch.tokens()];
                for (int i = 0; i < labels.length; i++) labels[i] = i % 5 == 0 ? -100 : i % 3;
                yield new Case(load("tiny-bert-tag", Task.TOKEN_CLASSIFICATION), batch, labels);
            }
            default -> {
                int[] labels = new int[batch.tokens()];
                Arrays.fill(labels, -100);
                labels[2] = 97;
                labels[5] = 88;
                labels[14] = 43;
                labels[16] = 48;
                yield new Case(load("tiny-bert-mlm", Task.MASKED_LM), batch, labels);
            }
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"classify", "tag", "mlm"})
    void theSameSeedGivesTheSameLossAndGradientsAndAnotherSeedAnother(String which) throws Exception {
        Case c = fixture(which);
        Kernels k = Kernels.get();
        Gradients g1 = new Gradients(), g2 = new Gradients(), g3 = new Gradients(), off = new Gradients(), plain = new Gradients();
        double l1 = c.model.lossAndGradients(k, c.batch, c.labels, g1, Dropout.bert(5));
        double l2 = c.model.lossAndGradients(k, c.batch, c.labels, g2, Dropout.bert(5));
        double l3 = c.model.lossAndGradients(k, c.batch, c.labels, g3, Dropout.bert(6));
        assertEquals(l1, l2, 0.0, "same seed, same loss");
        for (Map.Entry<String, FloatTensor> e : g1.all().entrySet()) {
            assertArrayEquals(e.getValue().toArray(), g2.get(e.getKey()).toArray(), e.getKey() + ": same seed, same gradient");
        }
        assertNotEquals(l1, l3, "another seed, other masks");
        double lOff = c.model.lossAndGradients(k, c.batch, c.labels, off, Dropout.OFF);
        double lPlain = c.model.lossAndGradients(k, c.batch, c.labels, plain);
        assertEquals(lPlain, lOff, 0.0, "Dropout.OFF is training without dropout");
        assertNotEquals(lOff, l1, "dropout changes the loss");
    }

    /**
     * The backward goes through the same masks as the forward: with d = the returned gradient (normalised), the
     * central difference (L(θ + h d) − L(θ − h d)) / 2h under the same seed equals g · d, over every parameter at once.
     * On the scalar kernels (double sums) with h = 1e-3, float rounding of the loss leaves ~1e-4 of noise; a mask
     * that differed between forward and backward (or a missing 1/(1 − p)) is off by tens of percent.
     */
    @ParameterizedTest
    @ValueSource(strings = {"classify", "tag", "mlm"})
    void theGradientWithDropoutIsTheDerivativeOfTheLossUnderTheSameMasks(String which) throws Exception {
        Case c = fixture(which);
        Kernels k = new ScalarKernels();
        Dropout dropout = new Dropout(0.2, 0.2, 0.2, 11);
        Gradients g = new Gradients();
        c.model.lossAndGradients(k, c.batch, c.labels, g, dropout);
        Parameters p = c.model.parameters();
        double norm = 0;
        for (Map.Entry<String, FloatTensor> e : g.all().entrySet()) for (float v : e.getValue().toArray()) norm += (double) v * v;
        norm = Math.sqrt(norm);
        double h = 1e-3;
        double up = shifted(c, k, dropout, p, g, h / norm), down = shifted(c, k, dropout, p, g, -2 * h / norm);
        shifted(c, k, dropout, p, g, h / norm);                                   // back to θ
        double numeric = (up - down) / (2 * h), analytic = norm;               // g · (g / |g|) = |g|
        assertEquals(analytic, numeric, 2e-2 * analytic, which + ": directional derivative");
    }

    /** θ += s · g over every parameter, then the loss under {@code dropout}. */
    private static double shifted(Case c, Kernels k, Dropout dropout, Parameters p, Gradients g, double s) {
        for (Map.Entry<String, FloatTensor> e : g.all().entrySet()) {
            FloatTensor param = p.get(e.getKey()), grad = e.getValue();
            float[] pd = param.toArray(), gd = grad.toArray();
            for (int i = 0; i < pd.length; i++) pd[i] += (float) (s * gd[i]);
            writeBack(param, pd);
        }
        return c.model.lossAndGradients(k, c.batch, c.labels, new Gradients(), dropout);
    }

    private static void writeBack(FloatTensor t, float[] values) {
        int cols = t.dim(t.rank() - 1), rows = values.length / cols;
        FloatTensor m = t.reshape(rows, cols);
        for (int r = 0; r < rows; r++) System.arraycopy(values, r * cols, m.data(), m.rowOffset(r), cols);
    }
}
