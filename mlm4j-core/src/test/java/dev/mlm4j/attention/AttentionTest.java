package dev.mlm4j.attention;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.ScalarKernels;
import dev.mlm4j.tensor.FloatTensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class AttentionTest {
    static FloatTensor random(Random r, int... shape) {
        FloatTensor t = FloatTensor.zeros(shape);
        for (int i = 0; i < t.data().length; i++) t.data()[i] = (float) r.nextGaussian();
        return t;
    }

    /** Multi-head attention computed with plain double loops, independent of the kernels and views. */
    static double[][] naive(float[][] x, float[][] wq, float[][] wk, float[][] wv, int heads, boolean causal, boolean[] valid) {
        int n = x.length, d = x[0].length, dq = wq[0].length, dv = wv[0].length, hk = dq / heads, hv = dv / heads;
        double[][] q = new double[n][dq], k = new double[n][dq], v = new double[n][dv];
        for (int i = 0; i < n; i++) for (int p = 0; p < d; p++) {
            for (int j = 0; j < dq; j++) { q[i][j] += x[i][p] * wq[p][j]; k[i][j] += x[i][p] * wk[p][j]; }
            for (int j = 0; j < dv; j++) v[i][j] += x[i][p] * wv[p][j];
        }
        double[][] out = new double[n][dv];
        for (int h = 0; h < heads; h++) for (int i = 0; i < n; i++) {
            double[] s = new double[n];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                boolean ok = (!causal || j <= i) && (valid == null || valid[j]);
                if (!ok) { s[j] = Double.NEGATIVE_INFINITY; continue; }
                for (int p = 0; p < hk; p++) s[j] += q[i][h * hk + p] * k[j][h * hk + p];
                s[j] /= Math.sqrt(hk);
                max = Math.max(max, s[j]);
            }
            double z = 0;
            for (int j = 0; j < n; j++) { s[j] = Math.exp(s[j] - max); z += s[j]; }
            for (int j = 0; j < n; j++) for (int p = 0; p < hv; p++) out[i][h * hv + p] += s[j] / z * v[j][h * hv + p];
        }
        return out;
    }

    @Test
    void multiHeadMatchesNaiveLoopsForEveryMask() {
        Random r = new Random(42);
        int n = 17, d = 24, heads = 3;
        FloatTensor x = random(r, n, d), wq = random(r, d, d), wk = random(r, d, d), wv = random(r, d, d);
        boolean[] valid = new boolean[n];
        for (int j = 0; j < 13; j++) valid[j] = true;
        var att = new SelfAttention(wq, wk, wv, null, null, null, heads);
        for (AttentionMask mask : new AttentionMask[] {AttentionMask.BIDIRECTIONAL, AttentionMask.CAUSAL,
                AttentionMask.BIDIRECTIONAL.withPadding(valid), AttentionMask.CAUSAL.withPadding(valid)}) {
            double[][] expected = naive(x.toMatrix(), wq.toMatrix(), wk.toMatrix(), wv.toMatrix(), heads, mask.isCausal(), mask.validKeys());
            for (Kernels k : new Kernels[] {new ScalarKernels(), Kernels.get()}) {
                float[][] got = att.forward(k, x, mask).toMatrix();
                for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) {
                    assertEquals(expected[i][j], got[i][j], 1e-3 * Math.max(1, Math.abs(expected[i][j])),
                            k.name() + " " + mask.direction() + (mask.validKeys() != null ? "+padding" : "") + " at (" + i + "," + j + ")");
                }
            }
        }
    }

    @Test
    void probabilitiesAreRowStochasticAndRespectTheMask() {
        Random r = new Random(7);
        int n = 9, d = 8;
        FloatTensor x = random(r, n, d), w = random(r, d, d);
        boolean[] valid = {true, true, true, true, true, true, true, false, false};
        var att = new SelfAttention(w, w.copy(), w.copy(), null, null, null, 2);
        var steps = att.steps(Kernels.get(), x, AttentionMask.CAUSAL.withPadding(valid));
        for (FloatTensor a : steps.probabilities()) {
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    sum += a.at(i, j);
                    if (j > i || !valid[j]) assertEquals(0f, a.at(i, j), "masked entry (" + i + "," + j + ")");
                }
                assertEquals(1.0, sum, 1e-5, "row " + i);
            }
        }
        var bi = att.steps(Kernels.get(), x, AttentionMask.BIDIRECTIONAL);
        assertTrue(bi.probabilities()[0].at(0, n - 1) > 0f, "bidirectional: the first token sees the last");
    }

    @Test
    void emptySequenceIsAClearError() {
        var att = SeedExample.attention();
        var e = assertThrows(IllegalArgumentException.class, () -> att.steps(Kernels.get(), FloatTensor.zeros(0, 1), AttentionMask.BIDIRECTIONAL));
        assertTrue(e.getMessage().contains("empty"));
    }
}
