package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scalar twins of the Vector API's element-wise inference kernels — LayerNorm, GELU (alone and in the GEMM's
 * epilogue) and {@link FlashAttention}'s tiles — giving the same floats bit for bit, run while a process is cold.
 *
 * <p>Why: until C2 has compiled a Vector API loop, the loop runs the API's Java fallback (an object per vector
 * operation, a lambda call per lane), some hundred times slower than plain float code, which C1 compiles within
 * milliseconds. A cold {@code ./mlm4j fill-mask} on bert-base spent ~220 of its encoder's ~315 ms in those fallbacks
 * ({@code scripts/profile-startup}); the GEMM's register tiles are compiled ahead ({@link Gemm#compileTilesAhead}) but
 * these kernels are too many and too small to warm that way. So each kernel takes its scalar twin for its first
 * {@code budget} elements of work in the process (a few short forward passes), then its vector form, which the JIT
 * compiles as it always did.
 *
 * <p>Same bits: each twin does, per element, the vector form's operations in its order — lane l of a running vector sum
 * is the in-order sum of elements l, l + L, l + 2L, …, combined by {@link VectorMath#sumLanes}'s fixed tree (the tree
 * of {@link VectorMath#sum}); fused multiply-adds stay {@link Math#fma}; exp is {@link VectorMath#exp(float)}, the
 * lane-for-lane twin of the vector one; the vector loops' own scalar tails are copied as they are. So an answer does not
 * depend on which path ran, and {@code ColdKernelsTest} holds the twins to it bit for bit at every species the tests
 * run at. {@code -Dmlm4j.coldKernels=false} turns the twins off.
 */
final class ColdKernels {
    private ColdKernels() {}

    private static final int L = VectorKernels.L;
    private static final boolean ENABLED = !"false".equals(System.getProperty("mlm4j.coldKernels"));

    /**
     * Elements of work a kernel does on its scalar twin before its vector form takes over: a few forward passes over a
     * short text (bert-base on 9 tokens: LayerNorm 173 k, GELU 332 k, attention 1.5 M), a few milliseconds of scalar
     * work in all.
     */
    static final Budget LAYER_NORM = new Budget(1L << 20), GELU = new Budget(1L << 21), ATTENTION = new Budget(1L << 23);

    /**
     * A kernel's remaining scalar work, taken call by call; once spent, never refilled. A call larger than the whole
     * budget runs the vector form and leaves the budget as it was: a first batch that big (32 × 128 tokens of LayerNorm is
     * 3 M elements) is worth compiling for, and the vector forms run it on every core.
     */
    static final class Budget {
        private final long size;
        private final AtomicLong left;

        Budget(long elements) {
            size = elements;
            left = new AtomicLong(ENABLED ? elements : 0);
        }

        /** True when a call of {@code work} elements is to run on the scalar twin (and the budget is charged for it). */
        boolean take(long work) {
            if (left.get() <= 0 || work > size) return false;   // the steady state: one volatile read
            return left.getAndAdd(-work) > 0;
        }

        void reset(long elements) {                 // for tests
            left.set(elements);
        }
    }

    // ---- LayerNorm ---------------------------------------------------------------------------------------

    /** {@link VectorKernels#layerNorm}, the floats of its vector loops computed lane by lane. */
    static void layerNorm(FloatTensor x, FloatTensor gamma, FloatTensor beta, float eps) {
        int n = x.dim(1), full = n - n % L;
        float[] d = x.data(), g = gamma.data(), b = beta.data();
        int go = gamma.offset(), bo = beta.offset();
        float[] lanes = new float[L];
        for (int i = 0; i < x.dim(0); i++) {
            int r = x.rowOffset(i);
            Arrays.fill(lanes, 0f);
            for (int j = 0; j < full; j++) lanes[j % L] += d[r + j];
            float sum = VectorMath.sumLanes(lanes);
            for (int j = full; j < n; j++) sum += d[r + j];
            float mean = sum / n;
            Arrays.fill(lanes, 0f);
            for (int j = 0; j < full; j++) {
                float t = d[r + j] - mean;
                lanes[j % L] = Math.fma(t, t, lanes[j % L]);
            }
            float sq = VectorMath.sumLanes(lanes);
            for (int j = full; j < n; j++) sq = Math.fma(d[r + j] - mean, d[r + j] - mean, sq);
            float inv = (float) (1.0 / Math.sqrt(sq / n + eps));
            for (int j = 0; j < full; j++) d[r + j] = Math.fma((d[r + j] - mean) * inv, g[go + j], b[bo + j]);
            for (int j = full; j < n; j++) d[r + j] = (d[r + j] - mean) * inv * g[go + j] + b[bo + j];
        }
    }

    // ---- GELU ------------------------------------------------------------------------------------------------

    /**
     * out's rows ← GELU of x's ({@link VectorKernels#gelu(FloatTensor, FloatTensor)}); out may be x. The vector form
     * {@code x·½·(erf(x/√2) + 1)} and {@link VectorKernels#gelu(float)} are the same products in the same order.
     */
    static void geluRows(FloatTensor x, FloatTensor out) {
        int rows = x.rank() == 1 ? 1 : x.dim(0), n = x.dim(-1);
        float[] d = x.data(), o = out.data();
        for (int i = 0; i < rows; i++) {
            int r = x.rank() == 1 ? x.offset() : x.rowOffset(i), w = out.rank() == 1 ? out.offset() : out.rowOffset(i);
            for (int j = 0; j < n; j++) o[w + j] = VectorKernels.gelu(d[r + j]);
        }
    }

    /** GELU in place on a rows × cols tile of the GEMM's epilogue ({@code Gemm.Call.gelu}). */
    static void geluTile(float[] c, int co, int ldc, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = co + r * ldc;
            for (int j = 0; j < cols; j++) c[o + j] = VectorKernels.gelu(c[o + j]);
        }
    }

    // ---- attention -------------------------------------------------------------------------------------------

    /** One thread's tile: scores then probabilities (BR × BC), the unnormalised outputs, running maxima and sums. */
    private static final class Scratch {
        final float[] s = new float[FlashAttention.BR * FlashAttention.BC];
        float[] o = new float[0];
        final float[] max = new float[FlashAttention.BR], sum = new float[FlashAttention.BR], lanes = new float[L];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * {@link FlashAttention#attend} without dropout or log-sum-exps (inference), tile for tile: the same key tiles
     * (BC keys, padded to a multiple of L with −∞ scores), each score the fma chain over the head's inputs in order
     * times the scale, the online softmax's per-lane sums and rescaling, and each output the fma chain over the tile's
     * keys in order. Keys are read in place (the vector form reads a transposed copy holding the same floats).
     */
    static void attend(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, int halfWindow, boolean[] valid, float scale, FloatTensor out) {
        ScalarKernels.checkAttention(q, k, v, valid, out);
        int n = q.dim(0), dk = q.dim(1), m = k.dim(0), dv = v.dim(1), br = FlashAttention.BR, bc = FlashAttention.BC;
        if (n == 0) return;
        Scratch w = SCRATCH.get();
        if (w.o.length < br * dv) w.o = new float[br * dv];
        float[] s = w.s, o = w.o, rowMax = w.max, rowSum = w.sum, qd = q.data(), kd = k.data(), vd = v.data(), od = out.data();
        for (int i0 = 0; i0 < n; i0 += br) {
            int rows = Math.min(br, n - i0);
            Arrays.fill(o, 0, rows * dv, 0f);
            Arrays.fill(rowMax, Float.NEGATIVE_INFINITY);
            Arrays.fill(rowSum, 0f);
            for (int j0 = FlashAttention.firstKey(i0, halfWindow), end = FlashAttention.endKey(i0, rows, m, causal, halfWindow); j0 < end; j0 += bc) {
                int jw = Math.min(bc, end - j0), jwp = VectorKernels.roundUp(jw, L);
                for (int r = 0; r < rows; r++) {                    // scores; mask() makes [jw, jwp) −∞
                    int qr = q.rowOffset(i0 + r);
                    for (int j = 0; j < jw; j++) {
                        float a = 0f;
                        for (int p = 0, kr = k.rowOffset(j0 + j); p < dk; p++) a = Math.fma(qd[qr + p], kd[kr + p], a);
                        s[r * bc + j] = a * scale;
                    }
                }
                FlashAttention.mask(s, i0, rows, j0, jw, jwp, causal, halfWindow, valid);
                for (int r = 0; r < rows; r++) softmaxUpdate(s, r, bc, jwp, rowMax, rowSum, o, dv, w.lanes);
                for (int r = 0; r < rows; r++) {                    // o[r] += Σ_j p[r][j] · v[j0 + j]
                    int ob = r * dv, sb = r * bc;
                    for (int c = 0; c < dv; c++) {
                        float a = o[ob + c];
                        for (int j = 0; j < jw; j++) a = Math.fma(s[sb + j], vd[v.rowOffset(j0 + j) + c], a);
                        o[ob + c] = a;
                    }
                }
            }
            for (int r = 0; r < rows; r++) {
                int dst = out.rowOffset(i0 + r), src = r * dv;
                float inv = rowSum[r] > 0f ? 1f / rowSum[r] : 0f;
                for (int c = 0; c < dv; c++) od[dst + c] = o[src + c] * inv;
            }
        }
    }

    /** FlashAttention's {@code softmaxUpdate} of row r: lane l's partial sum is the in-order sum of keys l, l + L, …. */
    private static void softmaxUpdate(float[] s, int r, int bc, int jwp, float[] rowMax, float[] rowSum, float[] o, int dv, float[] lanes) {
        int base = r * bc;
        float tileMax = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < jwp; j++) tileMax = Math.max(tileMax, s[base + j]);
        float max = Math.max(rowMax[r], tileMax);
        if (max == Float.NEGATIVE_INFINITY) {
            Arrays.fill(s, base, base + jwp, 0f);
            return;
        }
        Arrays.fill(lanes, 0f);
        for (int j = 0; j < jwp; j++) {
            float e = VectorMath.exp(s[base + j] - max);
            s[base + j] = e;
            lanes[j % L] += e;
        }
        float corr = FlashAttention.mergeTile(rowMax, rowSum, r, max, VectorMath.sumLanes(lanes));
        if (corr != 1f) {
            for (int c = 0, ob = r * dv; c < dv; c++) o[ob + c] *= corr;
        }
    }
}
