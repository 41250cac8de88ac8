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
import static org.junit.jupiter.api.Assertions.assertEquals;
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

    /** (Z ⊙ softmax(mask(q kᵀ · scale))) v in double; q (n, dk), k (m, dk), v (m, dv), row-major; z (n · m) the dropout factors. */
    static double[] attention(double[] q, double[] k, double[] v, int n, int m, int dk, int dv, boolean causal, boolean[] valid, double scale,
                              double[] z) {
        return attention(q, k, v, n, m, dk, dv, causal, -1, valid, scale, z);
    }

    /** As above, query i seeing keys j with |i − j| ≤ window only (a sliding window; negative: none). */
    static double[] attention(double[] q, double[] k, double[] v, int n, int m, int dk, int dv, boolean causal, int window, boolean[] valid,
                              double scale, double[] z) {
        double[] out = new double[n * dv];
        for (int i = 0; i < n; i++) {
            double[] p = new double[m];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < m; j++) {
                if ((causal && j > i) || (window >= 0 && Math.abs(i - j) > window) || (valid != null && !valid[j])) {
                    p[j] = Double.NEGATIVE_INFINITY;
                    continue;
                }
                double s = 0;
                for (int c = 0; c < dk; c++) s += q[i * dk + c] * k[j * dk + c];
                p[j] = s * scale;
                max = Math.max(max, p[j]);
            }
            for (int j = 0; j < m; j++) sum += p[j] = p[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(p[j] - max);
            for (int j = 0; j < m; j++) for (int c = 0; c < dv; c++) out[i * dv + c] += z[i * m + j] * p[j] / sum * v[j * dv + c];
        }
        return out;
    }

    /**
     * The recomputing attention backward (FlashAttention's: probabilities rebuilt from q, k and the forward's row
     * log-sum-exps), the scalar reference and the Vector API tiles, against central differences of the double forward
     * above, with and without a dropout mask on the probabilities (the mask is fixed by its key, so the loss stays smooth).
     */
    @ParameterizedTest(name = "{0}: causal={1}, padding={2}, dropout={3}, window={4}")
    @CsvSource({"scalar, false, false, 0, -1", "scalar, true, false, 0, -1", "scalar, false, true, 0, -1", "scalar, true, true, 0, -1",
            "scalar, false, true, 0.3, -1", "vector, false, false, 0, -1", "vector, true, true, 0, -1", "vector, false, true, 0.3, -1",
            "vector, true, false, 0.5, -1", "scalar, false, false, 0, 1", "vector, false, false, 0, 1", "vector, false, true, 0.3, 2",
            "vector, true, false, 0, 1"})
    void attentionBackwardMatchesCentralDifferences(String impl, boolean causal, boolean padding, double p, int window) {
        Kernels kernels = impl.equals("scalar") ? REF : VEC;
        Random rnd = new Random(3);
        int n = 5, dk = 4, dv = 3;
        float scale = (float) (1 / Math.sqrt(dk));
        boolean[] valid = padding ? new boolean[] {true, true, false, true, false} : null;
        DropoutMask drop = p == 0 ? DropoutMask.NONE : new DropoutMask(p, 77);
        double[] z = new double[n * n];
        for (int i = 0; i < z.length; i++) z[i] = drop.factor(i);
        FloatTensor q = random(rnd, n, dk), k = random(rnd, n, dk), v = random(rnd, n, dv), r = random(rnd, n, dv);
        FloatTensor out = FloatTensor.zeros(n, dv);
        float[] lse = new float[n + 2];
        kernels.attentionTraining(q, k, v, causal, window, valid, scale, drop, out, lse, 2);
        double[] qd = doubles(q), kd = doubles(k), vd = doubles(v), rd = doubles(r);
        assertGradient("forward", attention(qd, kd, vd, n, n, dk, dv, causal, window, valid, scale, z), out);
        FloatTensor dq = FloatTensor.zeros(n, dk), dkk = FloatTensor.zeros(n, dk), dvv = FloatTensor.zeros(n, dv);
        kernels.attentionBackward(q, k, v, causal, window, valid, scale, drop, out, lse, 2, r, dq, dkk, dvv);
        assertGradient("dq", numeric(qd, t -> dot(rd, attention(t, kd, vd, n, n, dk, dv, causal, window, valid, scale, z))), dq);
        assertGradient("dk", numeric(kd, t -> dot(rd, attention(qd, t, vd, n, n, dk, dv, causal, window, valid, scale, z))), dkk);
        assertGradient("dv", numeric(vd, t -> dot(rd, attention(qd, kd, t, n, n, dk, dv, causal, window, valid, scale, z))), dvv);
        if (padding) {
            for (int c = 0; c < dk; c++) assertTrue(dkk.at(2, c) == 0 && dkk.at(4, c) == 0, "a padding key gets no gradient");
        }
    }

    /**
     * The Vector API attention training forward and recomputing backward against the scalar reference on awkward shapes:
     * lengths across the key tile ({@link FlashAttention#BC}) and the query tile ({@link FlashAttention#BR}), head sizes
     * that are not a multiple of the vector length, column views of wider tensors, causal, padding and dropout.
     */
    @ParameterizedTest(name = "n={0}, dk={1}, dv={2}, causal={3}, padding={4}, dropout={5}, window={6}")
    @CsvSource({"1, 1, 1, false, false, 0, -1", "3, 7, 5, true, false, 0, -1", "17, 33, 9, false, true, 0.1, -1", "64, 64, 64, false, false, 0, -1",
            "130, 24, 40, true, true, 0.2, -1", "300, 16, 16, false, true, 0, -1", "300, 20, 12, true, false, 0.1, -1",
            "1, 8, 8, false, false, 0, 0", "40, 16, 16, false, true, 0.1, 3", "300, 64, 64, false, false, 0, 64",
            "300, 24, 40, true, true, 0.2, 64", "600, 16, 16, false, false, 0.1, 200"})
    void fastAttentionBackwardMatchesTheReference(int n, int dk, int dv, boolean causal, boolean padding, double p, int window) {
        Random rnd = new Random(n * 31 + dk);
        float scale = (float) (1 / Math.sqrt(dk));
        boolean[] valid = null;
        if (padding) {
            valid = new boolean[n];
            for (int j = 0; j < n; j++) valid[j] = j == 0 || rnd.nextInt(4) != 0;
        }
        DropoutMask drop = p == 0 ? DropoutMask.NONE : new DropoutMask(p, n);
        FloatTensor wide = random(rnd, n, 2 * dk + dv + 3), r = random(rnd, n, dv);
        FloatTensor q = wide.columns(1, dk), k = wide.columns(1 + dk, dk), v = wide.columns(1 + 2 * dk, dv);
        FloatTensor outRef = FloatTensor.zeros(n, dv), outVec = FloatTensor.zeros(n, dv);
        float[] lseRef = new float[n], lseVec = new float[n];
        REF.attentionTraining(q, k, v, causal, window, valid, scale, drop, outRef, lseRef, 0);
        VEC.attentionTraining(q, k, v, causal, window, valid, scale, drop, outVec, lseVec, 0);
        KernelsTest.assertClose("training forward", outRef, outVec, 2e-5);
        KernelsTest.assertClose("log-sum-exp", FloatTensor.wrap(lseRef, n), FloatTensor.wrap(lseVec, n), 2e-5);
        FloatTensor[] ref = {FloatTensor.zeros(n, dk), FloatTensor.zeros(n, dk), FloatTensor.zeros(n, dv)};
        FloatTensor gradsWide = FloatTensor.zeros(n, 2 * dk + dv + 5);
        FloatTensor[] vec = {gradsWide.columns(2, dk), gradsWide.columns(2 + dk, dk), gradsWide.columns(2 + 2 * dk, dv)};
        REF.attentionBackward(q, k, v, causal, window, valid, scale, drop, outRef, lseRef, 0, r, ref[0], ref[1], ref[2]);
        VEC.attentionBackward(q, k, v, causal, window, valid, scale, drop, outRef, lseRef, 0, r, vec[0], vec[1], vec[2]);
        String[] names = {"dq", "dk", "dv"};
        for (int i = 0; i < 3; i++) KernelsTest.assertClose(names[i], ref[i], vec[i], 2e-5 * Math.sqrt(n));
    }

    /** The Vector API GELU and LayerNorm backward against their scalar references on awkward widths and strided rows. */
    @ParameterizedTest(name = "m={0}, n={1}")
    @CsvSource({"1, 1", "3, 7", "5, 16", "17, 33", "64, 384", "9, 1000"})
    void fastGeluAndLayerNormBackwardMatchTheReference(int m, int n) {
        Random rnd = new Random(m * 100 + n);
        FloatTensor wide = random(rnd, m, n + 5), x = wide.columns(2, n), dy = random(rnd, m, n);
        for (int i = 0; i < Math.min(3, n); i++) x.data()[x.rowOffset(0) + i] = new float[] {-6f, 0f, 4.5f}[i];
        FloatTensor ref = dy.copy(), vec = dy.copy();
        REF.geluBackward(x, ref);
        VEC.geluBackward(x, vec);
        KernelsTest.assertClose("gelu backward", ref, vec, 2e-6);
        FloatTensor gamma = random(rnd, n), g0 = random(rnd, n), b0 = random(rnd, n);
        FloatTensor dxRef = FloatTensor.zeros(m, n), dgRef = g0.copy(), dbRef = b0.copy();
        FloatTensor dxVec = dy.copy(), dgVec = g0.copy(), dbVec = b0.copy();              // in place: dx = dy
        REF.layerNormBackward(x, gamma, 1e-12f, dy, dxRef, dgRef, dbRef);
        VEC.layerNormBackward(x, gamma, 1e-12f, dxVec, dxVec, dgVec, dbVec);
        KernelsTest.assertClose("layer norm dx", dxRef, dxVec, 5e-5);
        KernelsTest.assertClose("layer norm dgamma (accumulated)", dgRef, dgVec, 2e-5 * Math.sqrt(m));
        KernelsTest.assertClose("layer norm dbeta (accumulated)", dbRef, dbVec, 2e-5 * Math.sqrt(m));
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

    /**
     * {@link WeightGradGemm} packs dyᵀ a k block at a time; the result must be the bits of materialising all of dyᵀ and
     * running the inference GEMM on it (dw as the residual), and db the float sum over tokens in order: several k blocks,
     * row tiles of every height, a last panel narrower than NR, one task and several, rows in chunks (5000 of them).
     */
    @ParameterizedTest(name = "n={0}, in={1}, out={2}")
    @CsvSource({"600, 70, 47", "257, 64, 13", "1000, 33, 130", "3, 96, 7", "513, 32, 6", "300, 40, 5000"})
    void weightGradientIsTheGemmOfDyTransposedBitForBit(int n, int in, int out) {
        Random rnd = new Random(n * 7 + in * 3 + out);
        FloatTensor x = random(rnd, n, in), dy = random(rnd, n, out), start = random(rnd, out, in), bstart = random(rnd, out);
        FloatTensor dw = start.copy(), db = bstart.copy();
        VEC.linearWeightGrad(x, dy, dw, db);
        FloatTensor dyT = FloatTensor.zeros(out, n), expect = start.copy();
        float[] dbExpect = new float[out];
        for (int o = 0; o < out; o++) {
            float s = 0f;
            for (int i = 0; i < n; i++) {
                dyT.data()[o * n + i] = dy.at(i, o);
                s += dy.at(i, o);
            }
            dbExpect[o] = bstart.data()[o] + s;
        }
        Gemm.linear(dyT, PackedMatrix.packInOut(x), null, Epilogue.BIAS_RESIDUAL, expect, expect);
        org.junit.jupiter.api.Assertions.assertArrayEquals(expect.data(), dw.data(), "dw");
        org.junit.jupiter.api.Assertions.assertArrayEquals(dbExpect, java.util.Arrays.copyOf(db.data(), out), "db");
    }

    /**
     * AdamW's update, the Vector API twin against the scalar reference: the same bits (each is the same sequence of
     * correctly rounded float operations), with a clipping factor and without, over a piece whose ends are not
     * multiples of the vector length and a parameter and gradient at offsets.
     */
    @Test
    void adamWTwinGivesTheReferencesBits() {
        Random r = new Random(11);
        int n = 1000, from = 3, to = 997;
        for (float gradScale : new float[] {1f, 0.37f}) {
            float[][] ref = new float[4][], vec = new float[4][];
            float[] p = new float[n + 5], g = new float[n + 7], m = new float[n], v = new float[n];
            for (int i = 0; i < p.length; i++) p[i] = (float) r.nextGaussian();
            for (int i = 0; i < g.length; i++) g[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 4));
            for (int i = 0; i < n; i++) {
                m[i] = (float) (r.nextGaussian() * 1e-3);
                v[i] = (float) Math.abs(r.nextGaussian() * 1e-6);
            }
            ref[0] = p.clone(); ref[1] = m.clone(); ref[2] = v.clone();
            vec[0] = p.clone(); vec[1] = m.clone(); vec[2] = v.clone();
            for (float[][] a : new float[][][] {ref, vec}) {
                (a == ref ? REF : VEC).adamW(a[0], 5, g, 7, a[1], a[2], from, to, 0.9f, 0.999f, 0.0447f, 1e-8f, 2e-4f, 0.99999f, gradScale);
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(ref[0], vec[0], "parameters, scale " + gradScale);
            org.junit.jupiter.api.Assertions.assertArrayEquals(ref[1], vec[1], "first moments, scale " + gradScale);
            org.junit.jupiter.api.Assertions.assertArrayEquals(ref[2], vec[2], "second moments, scale " + gradScale);
            assertTrue(ref[0][5 + from] != p[5 + from] && ref[0][5 + from - 1] == p[5 + from - 1] && ref[0][5 + to] == p[5 + to], "only [from, to) moves");
        }
    }
    /**
     * Gradient clipping's sum of squares, both twins against the exact sum (BigDecimal: every square of a float is exact
     * there): within 1e-12 relative (n · 2⁻⁵³ bounds the rounding of 70,000 terms), over pieces whose ends are not
     * multiples of any vector length, values spread over eight orders of magnitude, and huge values just outside
     * [from, to) that must not count.
     */
    @Test
    void sumOfSquaresTwinsAgreeWithTheExactSum() {
        Random r = new Random(12);
        for (int[] range : new int[][] {{0, 0}, {5, 6}, {3, 40}, {1, 1000}, {7, 70_000}}) {
            int from = range[0], to = range[1];
            float[] d = new float[to + 3];
            for (int i = 0; i < d.length; i++) d[i] = i < from || i >= to ? 1e30f : (float) (r.nextGaussian() * Math.pow(10, r.nextInt(9) - 4));
            java.math.BigDecimal exact = java.math.BigDecimal.ZERO;
            for (int i = from; i < to; i++) exact = exact.add(new java.math.BigDecimal(d[i]).pow(2));
            double want = exact.doubleValue();
            for (Kernels k : new Kernels[] {REF, VEC}) {
                double got = k.sumOfSquares(d, from, to);
                assertEquals(want, got, Math.max(1e-300, want * 1e-12), k.getClass().getSimpleName() + " over [" + from + ", " + to + ")");
                assertEquals(got, k.sumOfSquares(d, from, to), 0, "the same number every call");
            }
        }
    }
}
