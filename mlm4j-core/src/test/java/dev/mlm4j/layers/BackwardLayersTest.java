package dev.mlm4j.layers;

import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.FiniteDifferences;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.ScalarKernels;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.mlm4j.kernels.FiniteDifferences.doubles;
import static dev.mlm4j.kernels.FiniteDifferences.numeric;

/**
 * The backward passes of the layers (issue 18): Linear and cross-entropy against double-precision central differences
 * of independent double forwards, Linear's fast path against the scalar reference, and the -100 ignore index.
 */
class BackwardLayersTest {
    static FloatTensor random(Random r, int... shape) {
        FloatTensor t = FloatTensor.zeros(shape);
        for (int i = 0; i < t.data().length; i++) t.data()[i] = (float) r.nextGaussian();
        return t;
    }

    static void assertGradient(String what, double[] numeric, float[] analytic, double tol) {
        FiniteDifferences.assertGradient(what, numeric, FloatTensor.wrap(analytic, analytic.length), tol);
    }

    /** L = Σ r ⊙ (x Wᵀ + b) in double. */
    static double linearLoss(double[] x, double[] w, double[] b, double[] r, int n, int in, int out) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < out; o++) {
                double y = b[o];
                for (int p = 0; p < in; p++) y += x[i * in + p] * w[o * in + p];
                s += r[i * out + o] * y;
            }
        }
        return s;
    }

    @Test
    void linearBackwardMatchesCentralDifferencesOnBothKernels() {
        Random rnd = new Random(4);
        int n = 3, in = 5, out = 4;
        FloatTensor w = random(rnd, out, in), b = random(rnd, out), x = random(rnd, n, in), r = random(rnd, n, out);
        Linear layer = new Linear(w, b, Precision.FP32);
        assertArrayEquals(w.toArray(), layer.weightOutIn().toArray(), "the weight read back from its packed layout");
        double[] xd = doubles(x), wd = doubles(w), bd = doubles(b), rd = doubles(r);
        FloatTensor[] dxs = new FloatTensor[2];
        int i = 0;
        for (Kernels k : new Kernels[] {new ScalarKernels(), Kernels.get()}) {
            Gradients g = new Gradients();
            FloatTensor dx = FloatTensor.zeros(n, in);
            layer.backward(k, x, r, dx, false, g);
            assertGradient(k.name() + " dx", numeric(xd, v -> linearLoss(v, wd, bd, rd, n, in, out)), dx.toArray(), 1e-6);
            assertGradient(k.name() + " dW", numeric(wd, v -> linearLoss(xd, v, bd, rd, n, in, out)), g.get("weight").toArray(), 1e-6);
            assertGradient(k.name() + " db", numeric(bd, v -> linearLoss(xd, wd, v, rd, n, in, out)), g.get("bias").toArray(), 1e-6);
            // accumulate: dx += dy · W on top of what is there, and a second call doubles dW
            FloatTensor acc = dx.copy();
            layer.backward(k, x, r, acc, true, g);
            for (int e = 0; e < acc.size(); e++) assertEquals(2 * dx.data()[e], acc.data()[e], 1e-6, "accumulated dx");
            dxs[i++] = dx;
        }
        assertArrayEquals(dxs[0].toArray(), dxs[1].toArray(), "dx: the same FMA chains on the scalar reference and the GEMM");
    }

    @Test
    void int8LayersRefuseToTrain() {
        Linear layer = new Linear(random(new Random(5), 4, 8), FloatTensor.zeros(4), Precision.INT8);
        FloatTensor x = FloatTensor.zeros(2, 8), dy = FloatTensor.zeros(2, 4);
        Exception e = assertThrows(UnsupportedOperationException.class, () -> layer.backward(Kernels.get(), x, dy, null, false, new Gradients()));
        assertTrue(e.getMessage().contains("fp32"), e.getMessage());
    }

    /** Mean over the counted rows of logsumexp − logit[label], in double. */
    static double crossEntropy(double[] z, int[] labels, int c) {
        double total = 0;
        int counted = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == CrossEntropy.IGNORE_INDEX) continue;
            double s = 0;
            for (int j = 0; j < c; j++) s += Math.exp(z[i * c + j]);
            total += Math.log(s) - z[i * c + labels[i]];
            counted++;
        }
        return total / counted;
    }

    @Test
    void crossEntropyMatchesCentralDifferencesAndIgnoresMinus100OnBothKernels() {
        for (Kernels k : new Kernels[] {new ScalarKernels(), Kernels.get()}) {
            Random rnd = new Random(6);
            int c = 37;                                                                 // a vector tail on every species
            int[] labels = {2, CrossEntropy.IGNORE_INDEX, 0, 36};
            FloatTensor logits = random(rnd, labels.length, c), d = FloatTensor.zeros(labels.length, c);
            d.data()[c + 3] = 5f;                                                       // an ignored row's stale value is cleared
            double loss = CrossEntropy.lossAndGradient(k, logits, labels, d);
            double[] z = doubles(logits);
            assertEquals(crossEntropy(z, labels, c), loss, 1e-6, k.getClass().getSimpleName());
            assertGradient("dlogits " + k.getClass().getSimpleName(), numeric(z, v -> crossEntropy(v, labels, c)), d.toArray(), 1e-5);
            for (int j = 0; j < c; j++) assertEquals(0f, d.at(1, j), "an ignored row gets no gradient");
            // in place (dlogits = logits), as TrainableMaskedLM calls it
            FloatTensor inPlace = logits.copy();
            assertEquals(loss, CrossEntropy.lossAndGradient(k, inPlace, labels, inPlace), 1e-12);
            assertArrayEquals(d.toArray(), inPlace.toArray());
            // none counted: NaN, as torch's mean over nothing
            assertTrue(Double.isNaN(CrossEntropy.lossAndGradient(k, logits, new int[] {-100, -100, -100, -100}, d)));
            assertThrows(IllegalArgumentException.class, () -> CrossEntropy.lossAndGradient(k, logits, new int[] {0, 1, 37, 0}, d));
        }
    }

    /**
     * The Vector API twin against the double reference at an MLM head's width (MiniLM's vocabulary, logits of a trained
     * model's spread) and with −∞ entries (the QA head pads its rows with them): loss and every gradient element.
     */
    @Test
    void crossEntropyVectorTwinAgreesWithTheReferenceAtVocabularyWidth() {
        Random rnd = new Random(7);
        int c = 30522;
        int[] labels = {17, 29999, CrossEntropy.IGNORE_INDEX, 4, 30521};
        FloatTensor logits = random(rnd, labels.length, c);
        for (int i = 0; i < logits.data().length; i++) logits.data()[i] *= 4f;
        java.util.Arrays.fill(logits.data(), 3 * c + 100, 4 * c, Float.NEGATIVE_INFINITY);
        FloatTensor ref = FloatTensor.zeros(labels.length, c), vec = FloatTensor.zeros(labels.length, c);
        double lossRef = CrossEntropy.lossAndGradient(new ScalarKernels(), logits, labels, ref);
        double lossVec = CrossEntropy.lossAndGradient(Kernels.get(), logits, labels, vec);
        assertEquals(lossRef, lossVec, 1e-5 * lossRef);
        float[] r = ref.toArray(), v = vec.toArray();
        float max = 0;
        for (float x : r) max = Math.max(max, Math.abs(x));
        for (int i = 0; i < r.length; i++) assertEquals(r[i], v[i], 1e-5 * max + 1e-4 * Math.abs(r[i]), "element " + i);
    }
}
