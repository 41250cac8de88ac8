package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static dev.mlm4j.kernels.KernelsTest.REF;
import static dev.mlm4j.kernels.KernelsTest.VEC;
import static dev.mlm4j.kernels.KernelsTest.random;
import static dev.mlm4j.kernels.FiniteDifferences.doubles;
import static dev.mlm4j.kernels.FiniteDifferences.dot;
import static dev.mlm4j.kernels.FiniteDifferences.numeric;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backward kernels (issue 18): each against double-precision central differences of an independent double forward
 * written here, on tiny shapes, with the loss L = Σ r ⊙ f(inputs) for a random r (so dy = r); and the fast weight
 * gradient against its scalar reference on awkward shapes.
 */
class BackwardKernelsTest {
    /** Per tensor: max |analytic − numeric| over max |numeric| (the kernels return float32). */
    private static final double TOLERANCE = 2e-5;

    static void assertGradient(String what, double[] numeric, FloatTensor analytic) {
        FiniteDifferences.assertGradient(what, numeric, analytic, TOLERANCE);
    }

    // ---- LayerNorm ------------------------------------------------------------------------------------------

    static double[] layerNorm(double[] x, double[] g, double[] b, int m, int n, double eps) {
        double[] y = new double[m * n];
        for (int i = 0; i < m; i++) {
            double mean = 0, var = 0;
            for (int j = 0; j < n; j++) mean += x[i * n + j];
            mean /= n;
            for (int j = 0; j < n; j++) var += (x[i * n + j] - mean) * (x[i * n + j] - mean);
            double rstd = 1 / Math.sqrt(var / n + eps);
            for (int j = 0; j < n; j++) y[i * n + j] = (x[i * n + j] - mean) * rstd * g[j] + b[j];
        }
        return y;
    }

    @Test
    void layerNormBackwardMatchesCentralDifferences() {
        Random rnd = new Random(1);
        int m = 3, n = 7;
        float eps = 1e-5f;
        FloatTensor x = random(rnd, m, n), gamma = random(rnd, n), beta = random(rnd, n), r = random(rnd, m, n);
        double[] xd = doubles(x), gd = doubles(gamma), bd = doubles(beta), rd = doubles(r);
        FloatTensor dx = FloatTensor.zeros(m, n), dg = FloatTensor.zeros(n), db = FloatTensor.zeros(n);
        REF.layerNormBackward(x, gamma, eps, r, dx, dg, db);
        assertGradient("layer norm dx", numeric(xd, v -> dot(rd, layerNorm(v, gd, bd, m, n, eps))), dx);
        assertGradient("layer norm dgamma", numeric(gd, v -> dot(rd, layerNorm(xd, v, bd, m, n, eps))), dg);
        assertGradient("layer norm dbeta", numeric(bd, v -> dot(rd, layerNorm(xd, gd, v, m, n, eps))), db);
        // in place (dx = dy), as the MLM head uses it: the same numbers
        FloatTensor inPlace = r.copy();
        REF.layerNormBackward(x, gamma, eps, inPlace, inPlace, FloatTensor.zeros(n), FloatTensor.zeros(n));
        KernelsTest.assertClose("in-place layer norm backward", dx, inPlace, 0);
    }

    // ---- GELU ---------------------------------------------------------------------------------------------------

    @Test
    void geluBackwardMatchesCentralDifferences() {
        Random rnd = new Random(2);
        FloatTensor x = random(rnd, 4, 9), r = random(rnd, 4, 9);
        x.data()[0] = -6f;
        x.data()[1] = 0f;
        x.data()[2] = 4.5f;
        double[] xd = doubles(x), rd = doubles(r);
        FloatTensor dy = r.copy();
        REF.geluBackward(x, dy);
        assertGradient("gelu", numeric(xd, v -> {
            double s = 0;
            for (int i = 0; i < v.length; i++) s += rd[i] * ScalarKernels.gelu(v[i]);
            return s;
        }), dy);
    }

    // ---- attention ----------------------------------------------------------------------------------------------

    /** softmax(mask(q kᵀ · scale)) v in double; q (n, dk), k (m, dk), v (m, dv), row-major. */
    static double[] attention(double[] q, double[] k, double[] v, int n, int m, int dk, int dv, boolean causal, boolean[] valid, double scale) {
        double[] out = new double[n * dv];
        for (int i = 0; i < n; i++) {
            double[] p = new double[m];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < m; j++) {
                if ((causal && j > i) || (valid != null && !valid[j])) {
                    p[j] = Double.NEGATIVE_INFINITY;
                    continue;
                }
                double s = 0;
                for (int c = 0; c < dk; c++) s += q[i * dk + c] * k[j * dk + c];
                p[j] = s * scale;
                max = Math.max(max, p[j]);
            }
            for (int j = 0; j < m; j++) sum += p[j] = p[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(p[j] - max);
            for (int j = 0; j < m; j++) for (int c = 0; c < dv; c++) out[i * dv + c] += p[j] / sum * v[j * dv + c];
        }
        return out;
    }

    @ParameterizedTest(name = "causal={0}, padding={1}")
    @CsvSource({"false, false", "true, false", "false, true", "true, true"})
    void attentionBackwardMatchesCentralDifferences(boolean causal, boolean padding) {
        Random rnd = new Random(3);
        int n = 5, dk = 4, dv = 3;
        float scale = (float) (1 / Math.sqrt(dk));
        boolean[] valid = padding ? new boolean[] {true, true, false, true, false} : null;
        FloatTensor q = random(rnd, n, dk), k = random(rnd, n, dk), v = random(rnd, n, dv), r = random(rnd, n, dv);
        // the probabilities as the exact forward leaves them
        FloatTensor probs = FloatTensor.zeros(n, n);
        REF.matmulTransposed(q, k, probs);
        REF.scale(probs, scale);
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) if ((causal && j > i) || (padding && !valid[j])) probs.set(Float.NEGATIVE_INFINITY, i, j);
        REF.softmaxRows(probs);
        FloatTensor dq = FloatTensor.zeros(n, dk), dkk = FloatTensor.zeros(n, dk), dvv = FloatTensor.zeros(n, dv);
        REF.attentionBackward(q, k, v, probs, r, scale, dq, dkk, dvv);
        double[] qd = doubles(q), kd = doubles(k), vd = doubles(v), rd = doubles(r);
        assertGradient("dq", numeric(qd, t -> dot(rd, attention(t, kd, vd, n, n, dk, dv, causal, valid, scale))), dq);
        assertGradient("dk", numeric(kd, t -> dot(rd, attention(qd, t, vd, n, n, dk, dv, causal, valid, scale))), dkk);
        assertGradient("dv", numeric(vd, t -> dot(rd, attention(qd, kd, t, n, n, dk, dv, causal, valid, scale))), dvv);
        if (padding) {
            for (int c = 0; c < dk; c++) assertTrue(dkk.at(2, c) == 0 && dkk.at(4, c) == 0, "a padding key gets no gradient");
        }
    }

    // ---- the linear layer's weight gradient: Gemm against the scalar reference -----------------------------------

    @ParameterizedTest(name = "n={0}, in={1}, out={2}")
    @CsvSource({"1, 1, 1", "1, 7, 3", "5, 3, 33", "37, 70, 17", "130, 33, 65", "64, 96, 40"})
    void fastWeightGradientMatchesTheReference(int n, int in, int out) {
        Random rnd = new Random(n * 1000 + in * 10 + out);
        FloatTensor x = random(rnd, n, in), dy = random(rnd, n, out), start = random(rnd, out, in), bstart = random(rnd, out);
        FloatTensor dwRef = start.copy(), dwVec = start.copy(), dbRef = bstart.copy(), dbVec = bstart.copy();
        REF.linearWeightGrad(x, dy, dwRef, dbRef);
        VEC.linearWeightGrad(x, dy, dwVec, dbVec);
        double scale = Math.sqrt(n); // float sums of n products against double ones
        KernelsTest.assertClose("dw (accumulated)", dwRef, dwVec, 2e-6 * scale);
        KernelsTest.assertClose("db (accumulated)", dbRef, dbVec, 2e-6 * scale);
        // and the reference is dyᵀ x + start
        double s = 0;
        for (int i = 0; i < n; i++) s += (double) dy.at(i, out - 1) * x.at(i, in - 1);
        assertTrue(Math.abs(dwRef.at(out - 1, in - 1) - (s + start.at(out - 1, in - 1))) <= 1e-5 * Math.max(1, Math.abs(s)));
    }

    @Test
    void fastWeightGradientTakesStridedRows() {
        Random rnd = new Random(9);
        FloatTensor wide = random(rnd, 10, 50), dyWide = random(rnd, 10, 40);
        FloatTensor x = wide.columns(5, 20), dy = dyWide.columns(3, 30);
        FloatTensor dwRef = FloatTensor.zeros(30, 20), dwVec = FloatTensor.zeros(30, 20);
        REF.linearWeightGrad(x, dy, dwRef, null);
        VEC.linearWeightGrad(x, dy, dwVec, null);
        KernelsTest.assertClose("dw from column views", dwRef, dwVec, 1e-5);
    }
}
