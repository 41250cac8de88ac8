package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link FlashAttention} (tiled, online softmax) against the exact path of the reference kernels: QKᵀ, scale,
 * mask, softmax, A V on {@link ScalarKernels} (double accumulation), on strided head views of a wider matrix,
 * for one tile (the short-sequence fast path) and several (online rescaling), every mask.
 */
class FlashAttentionTest {
    static final ScalarKernels REF = new ScalarKernels();

    /** out = softmax(mask(q kᵀ · scale)) v the exact way, with the reference kernels. */
    static FloatTensor reference(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, boolean[] valid) {
        return reference(q, k, v, causal, -1, valid);
    }

    /** As above, query i seeing keys j with |i − j| ≤ window only (negative: no window). */
    static FloatTensor reference(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, int window, boolean[] valid) {
        int n = q.dim(0), m = k.dim(0);
        FloatTensor s = FloatTensor.zeros(n, m), out = FloatTensor.zeros(n, v.dim(1));
        REF.matmulTransposed(q, k, s);
        REF.scale(s, (float) (1.0 / Math.sqrt(q.dim(1))));
        for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) {
            if ((causal && j > i) || (window >= 0 && Math.abs(i - j) > window) || (valid != null && !valid[j])) {
                s.data()[s.rowOffset(i) + j] = Float.NEGATIVE_INFINITY;
            }
        }
        REF.softmaxRows(s);
        REF.matmul(s, v, out);
        return out;
    }

    @ParameterizedTest(name = "n={0} dk={1} dv={2} heads={3}")
    @CsvSource({"1, 32, 32, 3", "3, 32, 32, 2", "16, 32, 32, 12", "17, 64, 64, 2", "128, 32, 32, 2", "128, 64, 64, 2",
            "255, 64, 64, 1", "256, 32, 32, 1", "257, 32, 32, 1", "600, 64, 64, 1", "33, 24, 40, 2", "45, 7, 5, 3"})
    void matchesTheExactPathOnHeadViews(int n, int dk, int dv, int heads) {
        Random r = new Random(n * 31 + dk);
        // Q, K, V of all heads side by side, as BertSelfAttention's fused QKV output: one head is a column view
        FloatTensor qkv = KernelsTest.random(r, n, heads * (2 * dk + dv) + 5);
        for (int i = 0; i < qkv.data().length; i++) qkv.data()[i] *= 2f;   // scores of a few units, like BERT's
        boolean[] valid = new boolean[n];
        for (int j = 0; j < n; j++) valid[j] = j % 7 != 3 && j < n - n / 5;
        if (n > 1) valid[0] = true;
        for (int h = 0; h < heads; h++) {
            FloatTensor q = qkv.columns(h * dk, dk), k = qkv.columns(heads * dk + h * dk, dk), v = qkv.columns(2 * heads * dk + h * dv, dv);
            for (boolean causal : new boolean[] {false, true}) {
                for (boolean[] mask : new boolean[][] {null, valid}) {
                    FloatTensor expected = reference(q, k, v, causal, mask);
                    FloatTensor got = FloatTensor.zeros(n + 2, dv + 3).slice(1, n).columns(2, dv);   // a strided output view
                    FlashAttention.attend(q, k, v, causal, mask, (float) (1.0 / Math.sqrt(dk)), got);
                    String what = "n=" + n + " head " + h + (causal ? " causal" : " bidirectional") + (mask != null ? " + padding" : "");
                    KernelsTest.assertClose(what, expected, got, 1e-5);
                }
            }
        }
    }

    /**
     * Under a sliding window (ModernBERT's local layers: 64 keys each side) each query tile runs over the key tiles its
     * rows can see only: windows narrower than a tile, wider than the sequence, and wide enough for two key tiles.
     */
    @ParameterizedTest(name = "n={0} dk={1} window={2}")
    @CsvSource({"1, 32, 0", "9, 64, 0", "17, 32, 3", "128, 64, 64", "129, 64, 64", "300, 64, 64", "600, 32, 64", "600, 32, 200",
            "40, 64, 500", "33, 24, 7"})
    void aSlidingWindowMatchesTheExactPath(int n, int dk, int window) {
        Random r = new Random(n * 17 + window);
        FloatTensor qkv = KernelsTest.random(r, n, 3 * dk + 5);
        for (int i = 0; i < qkv.data().length; i++) qkv.data()[i] *= 2f;
        FloatTensor q = qkv.columns(1, dk), k = qkv.columns(1 + dk, dk), v = qkv.columns(1 + 2 * dk, dk);
        boolean[] valid = new boolean[n];
        for (int j = 0; j < n; j++) valid[j] = j % 5 != 2;
        for (boolean causal : new boolean[] {false, true}) {
            for (boolean[] mask : new boolean[][] {null, valid}) {
                FloatTensor expected = reference(q, k, v, causal, window, mask), got = FloatTensor.zeros(n, dk);
                FlashAttention.attend(q, k, v, causal, window, mask, (float) (1.0 / Math.sqrt(dk)), got);
                KernelsTest.assertClose("n=" + n + " window " + window + (causal ? " causal" : "") + (mask != null ? " + padding" : ""),
                        expected, got, 1e-5);
            }
        }
    }

    @Test
    void rowsWithEveryKeyMaskedAreZeroAndLargeScoresStayFinite() {
        Random r = new Random(7);
        int n = 300, d = 32;
        FloatTensor q = KernelsTest.random(r, n, d), k = KernelsTest.random(r, n, d), v = KernelsTest.random(r, n, d);
        for (int i = 0; i < n * d; i++) q.data()[i] *= 40f;             // scores in the hundreds: exp would overflow unshifted
        boolean[] none = new boolean[n];
        FloatTensor out = FloatTensor.zeros(n, d);
        FlashAttention.attend(q, k, v, false, none, 0.2f, out);
        for (float x : out.data()) assertEquals(0f, x);
        FlashAttention.attend(q, k, v, false, null, (float) (1.0 / Math.sqrt(d)), out);
        for (float x : out.data()) assertTrue(Float.isFinite(x));
        // scores of ~±300 carry float rounding of ~3e-5 (the reference forms them in double), which exp passes on
        KernelsTest.assertClose("large scores", reference(q, k, v, false, null), out, 1e-3);
    }

    @Test
    void resultsDoNotDependOnTheOtherSequencesOrOnRepetition() {
        Random r = new Random(11);
        FloatTensor q = KernelsTest.random(r, 40, 32), k = KernelsTest.random(r, 40, 32), v = KernelsTest.random(r, 40, 32);
        FloatTensor a = FloatTensor.zeros(40, 32), b = FloatTensor.zeros(40, 32);
        FlashAttention.attend(q, k, v, false, null, 0.17f, a);
        FloatTensor big = KernelsTest.random(r, 500, 64);
        FlashAttention.attend(big, big, big, false, null, 0.1f, FloatTensor.zeros(500, 64)); // grows the scratch
        FlashAttention.attend(q, k, v, false, null, 0.17f, b);
        assertArrayEquals(a.data(), b.data());
    }
}
