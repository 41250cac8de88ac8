package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the Java Vector API ({@code jdk.incubator.vector}). Each overrides its twin in
 * {@link ScalarKernels}, which stays the reference the tests compare against.
 *
 * <p>Deterministic: no {@code reduceLanes(ADD)} and no {@code lanewise(EXP)} — sums go through
 * {@link VectorMath#sum} (a fixed tree) and exponentials through {@link VectorMath#exp}, so results are
 * bit-identical interpreted and C2-compiled, before and after warm-up.
 */
public final class VectorKernels extends ScalarKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Below this many multiply-adds a matmul runs on the calling thread. */
    private static final long PARALLEL_MIN_FLOPS = 1L << 18;

    static boolean isAvailable() {
        try {
            return FloatVector.SPECIES_PREFERRED.length() >= 4;
        } catch (Throwable t) {
            return false;
        }
    }

    @Override
    public String name() {
        return "vector(" + S.vectorBitSize() + "-bit)";
    }

    // ---- the linear layers' GEMM and attention: the tiled kernels of their own classes --------------

    /** {@link Gemm}: packed panels, register tiles, the epilogue fused into the store; the same bits as the reference. */
    @Override
    public void linear(FloatTensor x, PackedMatrix w, FloatTensor bias, Epilogue e, FloatTensor residual, FloatTensor out) {
        Gemm.linear(x, w, bias, e, residual, out);
    }

    /** {@link Int8Gemm}: int8 panels widened to floats in the micro-kernel; the same bits as the reference. */
    @Override
    public void linear(FloatTensor x, Int8Matrix w, FloatTensor bias, Epilogue e, FloatTensor residual, FloatTensor out) {
        Int8Gemm.linear(x, w, bias, e, residual, out);
    }

    /** {@link FlashAttention}: key tiles with an online softmax, no (n, m) score matrix. */
    @Override
    public void attention(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, int halfWindow, boolean[] validKeys, float scale, FloatTensor out) {
        if (ColdKernels.ATTENTION.take((long) q.dim(0) * k.dim(0) * (q.dim(1) + v.dim(1)))) {
            ColdKernels.attend(q, k, v, causal, halfWindow, validKeys, scale, out);
            return;
        }
        FlashAttention.attend(q, k, v, causal, halfWindow, validKeys, scale, out);
    }

    /** {@link FlashAttention}'s tiles, with the dropout mask and the row log-sum-exps the backward recomputes from. */
    @Override
    public void attentionTraining(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, int halfWindow, boolean[] validKeys, float scale,
                                  DropoutMask drop, FloatTensor out, float[] lse, int lseOffset) {
        FlashAttention.attend(q, k, v, causal, halfWindow, validKeys, scale, drop, out, lse, lseOffset);
    }

    /** {@link FlashAttentionBackward#backward}: the probabilities recomputed tile by tile, no (n, m) matrix. */
    @Override
    public void attentionBackward(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, int halfWindow, boolean[] validKeys, float scale,
                                  DropoutMask drop, FloatTensor out, float[] lse, int lseOffset, FloatTensor dOut,
                                  FloatTensor dq, FloatTensor dk, FloatTensor dv) {
        FlashAttentionBackward.backward(q, k, v, causal, halfWindow, validKeys, scale, drop, out, lse, lseOffset, dOut, dq, dk, dv);
    }

    /** {@link WeightGradGemm}: dyᵀ packed a k block at a time, x packed as the GEMM's weight, dw accumulated in place. */
    @Override
    public void linearWeightGrad(FloatTensor x, FloatTensor dy, FloatTensor dw, FloatTensor db) {
        checkWeightGrad(x, dy, dw, db);
        WeightGradGemm.accumulate(x, dy, dw, db);
    }

    // ---- matmul: c (m, n) = a (m, k) · b (k, n) ------------------------------------------------------

    @Override
    public void matmul(FloatTensor a, FloatTensor b, FloatTensor c) {
        requireUnitStride(a, b, c);
        int m = a.dim(0), k = a.dim(1), n = b.dim(1);
        if (b.dim(0) != k || c.dim(0) != m || c.dim(1) != n) {
            requireMatmulShapes(m, n, b.dim(0) == k ? k : -1, a, c, b.dim(0), n, false);
        }
        // Work is split over column panels (each a multiple of 2 vectors wide) so that even one row
        // (batch 1 × few tokens) keeps every core busy.
        int panel = Math.max(2 * L, roundUp(ceilDiv(n, Parallel.threads() * 4), 2 * L));
        int panels = ceilDiv(n, panel);
        if ((long) m * n * k < PARALLEL_MIN_FLOPS) panels = 1;
        int width = panels == 1 ? n : panel;
        int count = panels;
        Parallel.forEach(count, t -> {
            int j0 = t * width;
            matmulPanel(a, b, c, m, k, j0, Math.min(n, j0 + width));
        });
    }

    /**
     * Columns [j0, j1) of c: 4-row × 2-vector register tiles, broadcast a, stream rows of b. The tile is unrolled by
     * hand into named accumulators so that C2 keeps them in registers across k (as in {@link Gemm}'s micro-kernels).
     */
    private static void matmulPanel(FloatTensor a, FloatTensor b, FloatTensor c, int m, int k, int j0, int j1) {
        float[] ad = a.data(), bd = b.data(), cd = c.data();
        int lda = a.stride(0), ldb = b.stride(0), ldc = c.stride(0);
        int ao = a.offset(), bo = b.offset(), co = c.offset();
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            int a0 = ao + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
            int j = j0;
            for (; j + 2 * L <= j1; j += 2 * L) {
                FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
                FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
                FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
                FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
                int bp = bo + j;
                for (int p = 0; p < k; p++, bp += ldb) {
                    FloatVector b0 = FloatVector.fromArray(S, bd, bp);
                    FloatVector b1 = FloatVector.fromArray(S, bd, bp + L);
                    FloatVector x = FloatVector.broadcast(S, ad[a0 + p]);
                    c00 = x.fma(b0, c00);
                    c01 = x.fma(b1, c01);
                    x = FloatVector.broadcast(S, ad[a1 + p]);
                    c10 = x.fma(b0, c10);
                    c11 = x.fma(b1, c11);
                    x = FloatVector.broadcast(S, ad[a2 + p]);
                    c20 = x.fma(b0, c20);
                    c21 = x.fma(b1, c21);
                    x = FloatVector.broadcast(S, ad[a3 + p]);
                    c30 = x.fma(b0, c30);
                    c31 = x.fma(b1, c31);
                }
                int r = co + i * ldc + j;
                c00.intoArray(cd, r);
                c01.intoArray(cd, r + L);
                c10.intoArray(cd, r + ldc);
                c11.intoArray(cd, r + ldc + L);
                c20.intoArray(cd, r + 2 * ldc);
                c21.intoArray(cd, r + 2 * ldc + L);
                c30.intoArray(cd, r + 3 * ldc);
                c31.intoArray(cd, r + 3 * ldc + L);
            }
            for (int ii = i; ii < i + 4; ii++) matmulRowTail(ad, ao + ii * lda, bd, bo, ldb, cd, co + ii * ldc, k, j, j1);
        }
        for (; i < m; i++) {
            int j = j0;
            int ar = ao + i * lda;
            for (; j + 2 * L <= j1; j += 2 * L) {
                FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S);
                int bp = bo + j;
                for (int p = 0; p < k; p++, bp += ldb) {
                    FloatVector x = FloatVector.broadcast(S, ad[ar + p]);
                    c0 = x.fma(FloatVector.fromArray(S, bd, bp), c0);
                    c1 = x.fma(FloatVector.fromArray(S, bd, bp + L), c1);
                }
                c0.intoArray(cd, co + i * ldc + j);
                c1.intoArray(cd, co + i * ldc + j + L);
            }
            matmulRowTail(ad, ar, bd, bo, ldb, cd, co + i * ldc, k, j, j1);
        }
    }

    /** One row of c, columns [j, j1): one vector at a time, then scalars. */
    private static void matmulRowTail(float[] ad, int ar, float[] bd, int bo, int ldb, float[] cd, int cr, int k, int j, int j1) {
        for (; j + L <= j1; j += L) {
            FloatVector acc = FloatVector.zero(S);
            int bp = bo + j;
            for (int p = 0; p < k; p++, bp += ldb) {
                acc = FloatVector.broadcast(S, ad[ar + p]).fma(FloatVector.fromArray(S, bd, bp), acc);
            }
            acc.intoArray(cd, cr + j);
        }
        for (; j < j1; j++) {
            float s = 0f;
            int bp = bo + j;
            for (int p = 0; p < k; p++, bp += ldb) s = Math.fma(ad[ar + p], bd[bp], s);
            cd[cr + j] = s;
        }
    }

    // ---- c (m, n) = a (m, k) · bᵀ, b (n, k) ---------------------------------------------------------

    @Override
    public void matmulTransposed(FloatTensor a, FloatTensor b, FloatTensor c) {
        requireUnitStride(a, b, c);
        int m = a.dim(0), k = a.dim(1), n = b.dim(0);
        if (b.dim(1) != k || c.dim(0) != m || c.dim(1) != n) {
            requireMatmulShapes(m, n, b.dim(1) == k ? k : -1, a, c, n, b.dim(1), true);
        }
        float[] ad = a.data(), bd = b.data(), cd = c.data();
        // Tasks split the columns first, the rows only when there are too few columns: each task reads its rows of b once
        // per block of a's rows, dotting each b row (from L1) with every row of the block (from L2). Row by row, a
        // vocabulary-sized b (the masked-LM decoder, 94 MB for BERT's) was streamed from memory once per row of a: 64
        // masked rows read 6 GB. Each c element is the same dot product either way, so the bits do not change.
        boolean serial = (long) m * n * k < PARALLEL_MIN_FLOPS;
        int target = serial ? 1 : Parallel.threads() * 4;
        int colTasks = Math.max(1, Math.min(target, ceilDiv(n, 64)));
        int rowTasks = Math.min(m, ceilDiv(target, colTasks));
        int rowsPer = ceilDiv(m, rowTasks), colsPer = ceilDiv(n, colTasks);
        int block = Math.max(1, Math.min(MT_BLOCK_FLOATS / Math.max(1, k), rowsPer));
        Parallel.forEach(rowTasks * colTasks, t -> {
            int i0 = (t / colTasks) * rowsPer, i1 = Math.min(m, i0 + rowsPer);
            int j0 = (t % colTasks) * colsPer, j1 = Math.min(n, j0 + colsPer);
            for (int ib = i0; ib < i1; ib += block) {
                int ie = Math.min(i1, ib + block);
                for (int j = j0; j < j1; j++) {
                    int br = b.rowOffset(j);
                    for (int i = ib; i < ie; i++) cd[c.rowOffset(i) + j] = dot(ad, a.rowOffset(i), bd, br, k);
                }
            }
        });
    }

    /** a's floats {@link #matmulTransposed} keeps in L2 while b's rows stream past: a quarter of it (512 KB of 2 MB). */
    private static final int MT_BLOCK_FLOATS = Math.clamp(CacheSizes.L2 / 4L / Float.BYTES, 1 << 12, 1 << 17);

    static float dot(float[] x, int xo, float[] y, int yo, int k) {
        FloatVector acc0 = FloatVector.zero(S), acc1 = FloatVector.zero(S);
        int p = 0;
        for (; p + 2 * L <= k; p += 2 * L) {
            acc0 = FloatVector.fromArray(S, x, xo + p).fma(FloatVector.fromArray(S, y, yo + p), acc0);
            acc1 = FloatVector.fromArray(S, x, xo + p + L).fma(FloatVector.fromArray(S, y, yo + p + L), acc1);
        }
        for (; p + L <= k; p += L) {
            acc0 = FloatVector.fromArray(S, x, xo + p).fma(FloatVector.fromArray(S, y, yo + p), acc0);
        }
        float s = VectorMath.sum(acc0.add(acc1));
        for (; p < k; p++) s = Math.fma(x[xo + p], y[yo + p], s);
        return s;
    }

    // ---- elementwise and row-wise ----------------------------------------------------------------------

    @Override
    public void addBias(FloatTensor x, FloatTensor bias) {
        requireUnitStride(x, bias);
        int n = x.dim(1);
        if (bias.size() != n) throw new IllegalArgumentException("bias of " + bias.size() + " for rows of " + n);
        float[] xd = x.data(), bd = bias.data();
        int bo = bias.offset();
        for (int i = 0; i < x.dim(0); i++) {
            int r = x.rowOffset(i), j = 0;
            for (; j + L <= n; j += L) {
                FloatVector.fromArray(S, xd, r + j).add(FloatVector.fromArray(S, bd, bo + j)).intoArray(xd, r + j);
            }
            for (; j < n; j++) xd[r + j] += bd[bo + j];
        }
    }

    @Override
    public void add(FloatTensor x, FloatTensor y) {
        requireUnitStride(x, y);
        if (x.dim(0) != y.dim(0) || x.dim(1) != y.dim(1)) throw new IllegalArgumentException("add: " + x + " vs " + y);
        int n = x.dim(1);
        float[] xd = x.data(), yd = y.data();
        Parallel.forRange(x.dim(0), rowGrain(n), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int rx = x.rowOffset(i), ry = y.rowOffset(i), j = 0;
                for (; j + L <= n; j += L) {
                    FloatVector.fromArray(S, xd, rx + j).add(FloatVector.fromArray(S, yd, ry + j)).intoArray(xd, rx + j);
                }
                for (; j < n; j++) xd[rx + j] += yd[ry + j];
            }
        });
    }

    @Override
    public void scale(FloatTensor x, float s) {
        requireUnitStride(x);
        int n = x.dim(1);
        float[] xd = x.data();
        for (int i = 0; i < x.dim(0); i++) {
            int r = x.rowOffset(i), j = 0;
            for (; j + L <= n; j += L) FloatVector.fromArray(S, xd, r + j).mul(s).intoArray(xd, r + j);
            for (; j < n; j++) xd[r + j] *= s;
        }
    }

    @Override
    public void softmaxRows(FloatTensor x) {
        requireUnitStride(x);
        int n = x.dim(1);
        float[] d = x.data(), lanes = new float[L];
        for (int i = 0; i < x.dim(0); i++) {
            int r = x.rowOffset(i), j = 0;
            FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (; j + L <= n; j += L) vmax = vmax.max(FloatVector.fromArray(S, d, r + j));
            float max = vmax.reduceLanes(VectorOperators.MAX);
            for (; j < n; j++) max = Math.max(max, d[r + j]);
            if (max == Float.NEGATIVE_INFINITY) {
                java.util.Arrays.fill(d, r, r + n, 0f);
                continue;
            }
            FloatVector vsum = FloatVector.zero(S);
            j = 0;
            for (; j + L <= n; j += L) {
                FloatVector e = VectorMath.exp(FloatVector.fromArray(S, d, r + j).sub(max));
                e.intoArray(d, r + j);
                vsum = vsum.add(e);
            }
            vsum.intoArray(lanes, 0);
            float sum = VectorMath.sumLanes(lanes);
            for (; j < n; j++) {
                float e = VectorMath.exp(d[r + j] - max);
                d[r + j] = e;
                sum += e;
            }
            float inv = 1f / sum;
            j = 0;
            for (; j + L <= n; j += L) FloatVector.fromArray(S, d, r + j).mul(inv).intoArray(d, r + j);
            for (; j < n; j++) d[r + j] *= inv;
        }
    }

    @Override
    public void layerNorm(FloatTensor x, FloatTensor gamma, FloatTensor beta, float eps) {
        requireUnitStride(x, gamma, beta);
        if (ColdKernels.LAYER_NORM.take((long) x.dim(0) * x.dim(1))) ColdKernels.layerNorm(x, gamma, beta, eps);
        else layerNormVector(x, gamma, beta, eps);
    }

    /** {@link #layerNorm} on vectors (what it runs once the process is warm; {@link ColdKernels#layerNorm} is its twin). */
    static void layerNormVector(FloatTensor x, FloatTensor gamma, FloatTensor beta, float eps) {
        int n = x.dim(1);
        float[] d = x.data(), g = gamma.data(), b = beta.data();
        int go = gamma.offset(), bo = beta.offset();
        Parallel.forRange(x.dim(0), rowGrain(n), (i0, i1) -> {                    // rows in parallel for a large batch
            for (int i = i0; i < i1; i++) {
                int r = x.rowOffset(i), j = 0;
                FloatVector vs = FloatVector.zero(S);
                for (; j + L <= n; j += L) vs = vs.add(FloatVector.fromArray(S, d, r + j));
                float sum = VectorMath.sum(vs);
                for (; j < n; j++) sum += d[r + j];
                float mean = sum / n;
                FloatVector vq = FloatVector.zero(S);
                j = 0;
                for (; j + L <= n; j += L) {
                    FloatVector t = FloatVector.fromArray(S, d, r + j).sub(mean);
                    vq = t.fma(t, vq);
                }
                float sq = VectorMath.sum(vq);
                for (; j < n; j++) sq = Math.fma(d[r + j] - mean, d[r + j] - mean, sq);
                float inv = (float) (1.0 / Math.sqrt(sq / n + eps));
                j = 0;
                for (; j + L <= n; j += L) {
                    FloatVector t = FloatVector.fromArray(S, d, r + j).sub(mean).mul(inv);
                    t.fma(FloatVector.fromArray(S, g, go + j), FloatVector.fromArray(S, b, bo + j)).intoArray(d, r + j);
                }
                for (; j < n; j++) d[r + j] = (d[r + j] - mean) * inv * g[go + j] + b[bo + j];
            }
        });
    }

    @Override
    public void gelu(FloatTensor x) {
        requireUnitStride(x);
        geluRows(x, x);
    }

    /** {@link Kernels#gelu(FloatTensor, FloatTensor)} in one pass: x read, out written (a copy then GELU in place read and wrote out twice). */
    @Override
    public void gelu(FloatTensor x, FloatTensor out) {
        requireUnitStride(x, out);
        out.requireShape("GELU output", x.dim(0), x.dim(1));
        geluRows(x, out);
    }

    /** out's rows ← GELU of x's, rows in parallel for a large batch; out may be x itself (each float is read, then written). */
    private static void geluRows(FloatTensor x, FloatTensor out) {
        if (ColdKernels.GELU.take(x.size())) ColdKernels.geluRows(x, out);
        else geluRowsVector(x, out);
    }

    /** {@link #geluRows} on vectors ({@link ColdKernels#geluRows} is its twin while the process is cold). */
    static void geluRowsVector(FloatTensor x, FloatTensor out) {
        int rows = x.rank() == 1 ? 1 : x.dim(0), n = x.dim(-1);
        float[] d = x.data(), o = out.data();
        Parallel.forRange(rows, rowGrain(n), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int r = x.rank() == 1 ? x.offset() : x.rowOffset(i), w = out.rank() == 1 ? out.offset() : out.rowOffset(i), j = 0;
                for (; j + L <= n; j += L) gelu(FloatVector.fromArray(S, d, r + j)).intoArray(o, w + j);
                for (; j < n; j++) o[w + j] = gelu(d[r + j]);
            }
        });
    }

    /**
     * dst[d0 + p·ldd + j] = src[s0 + j·ld + p] for j &lt; rows, p &lt; cols: a block of rows (unit stride along them)
     * transposed, L rows at a time by a gather of their input p (offsets {0, ld, 2·ld, …}) stored as one run, the rows
     * after the last full vector one element at a time. {@link FlashAttention}'s K and V, {@link PackedMatrix}'s
     * transposing pack; element by element each was ~1.7 cycles a float.
     */
    static void transpose(float[] src, int s0, int ld, int rows, int cols, float[] dst, int d0, int ldd) {
        int j = 0;
        if (rows >= L) {
            int[] offsets = ROW_OFFSETS.get();
            for (int i = 0; i < L; i++) offsets[i] = i * ld;
            for (; j + L <= rows; j += L) {
                int r = s0 + j * ld;
                for (int p = 0; p < cols; p++) FloatVector.fromArray(S, src, r + p, offsets, 0).intoArray(dst, d0 + p * ldd + j);
            }
        }
        for (; j < rows; j++) {
            int r = s0 + j * ld;
            for (int p = 0; p < cols; p++) dst[d0 + p * ldd + j] = src[r + p];
        }
    }

    /** One vector's row offsets for {@link #transpose}'s gathers, per thread. */
    private static final ThreadLocal<int[]> ROW_OFFSETS = ThreadLocal.withInitial(() -> new int[L]);

    /** Rows per parallel piece of a row-wise kernel: ~2¹⁴ floats, so a short batch stays on the calling thread. */
    private static int rowGrain(int n) {
        return Math.max(1, (1 << 14) / Math.max(1, n));
    }

    private static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));

    private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));

    /**
     * dy ← dy ⊙ GELU'(x), GELU'(x) = ½(1 + erf(x/√2)) + x φ(x), with {@link #erf(FloatVector)} and {@link VectorMath#exp};
     * the reference is {@link ScalarKernels#geluBackward} (double): they agree to float rounding.
     */
    @Override
    public void geluBackward(FloatTensor x, FloatTensor dy) {
        requireUnitStride(x, dy);
        int rows = x.rank() == 1 ? 1 : x.dim(0), n = x.dim(-1);
        int per = (long) rows * n < PARALLEL_MIN_FLOPS ? rows : Math.max(1, ceilDiv(rows, Parallel.threads() * 4));
        Parallel.forEach(ceilDiv(rows, Math.max(1, per)), task -> {
            for (int i = task * per, end = Math.min(rows, i + per); i < end; i++) {
                geluBackwardRow(x.data(), x.rank() == 1 ? x.offset() : x.rowOffset(i), dy.data(), dy.rank() == 1 ? dy.offset() : dy.rowOffset(i), n);
            }
        });
    }

    /**
     * {@link Kernels#crossEntropyBackward}, rows in parallel: per row the max, the exps ({@link VectorMath#exp}, written
     * to dlogits) and their float sum in lanes (in a fixed order: {@link VectorMath#sumLanes}), then one pass scaling
     * them by scale / sum. The reference is {@link ScalarKernels#crossEntropyBackward} (double): they agree to float
     * rounding (~1e-6 relative over MiniLM's 30,522 classes). A double exp per element made this ~4 % of an MLM step.
     */
    @Override
    public void crossEntropyBackward(FloatTensor logits, int[] labels, int ignore, float scale, FloatTensor dlogits, double[] terms) {
        requireUnitStride(logits, dlogits);
        int m = logits.dim(0), c = logits.dim(1);
        Parallel.forRange(m, Math.max(1, (1 << 15) / Math.max(1, c)), (i0, i1) -> {
            float[] lanes = new float[L];
            for (int i = i0; i < i1; i++) {
                terms[i] = labels[i] == ignore ? 0 : crossEntropyRow(logits.data(), logits.rowOffset(i), c, labels[i], scale, dlogits.data(), dlogits.rowOffset(i), lanes);
                if (labels[i] == ignore) java.util.Arrays.fill(dlogits.data(), dlogits.rowOffset(i), dlogits.rowOffset(i) + c, 0f);
            }
        });
    }

    private static double crossEntropyRow(float[] x, int r, int c, int label, float scale, float[] d, int rd, float[] lanes) {
        int j = 0;
        FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (; j + L <= c; j += L) vmax = vmax.max(FloatVector.fromArray(S, x, r + j));
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; j < c; j++) max = Math.max(max, x[r + j]);
        float target = x[r + label];                                                    // read before d (maybe x) is overwritten
        FloatVector vsum = FloatVector.zero(S);
        for (j = 0; j + L <= c; j += L) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(S, x, r + j).sub(max));
            e.intoArray(d, rd + j);
            vsum = vsum.add(e);
        }
        vsum.intoArray(lanes, 0);
        float sum = VectorMath.sumLanes(lanes);
        for (; j < c; j++) sum += d[rd + j] = VectorMath.exp(x[r + j] - max);
        float f = scale / sum;
        for (j = 0; j + L <= c; j += L) FloatVector.fromArray(S, d, rd + j).mul(f).intoArray(d, rd + j);
        for (; j < c; j++) d[rd + j] *= f;
        d[rd + label] -= scale;
        return Math.log(sum) + max - target;
    }

    /**
     * {@link Kernels#adamW} a vector at a time: the scalar loop (a double square root and a float division per element)
     * took ~4.5 ns an element, 83 ms a step for MiniLM's 18.5 million parameters on one thread; these are the same
     * operations in the same order, so the same bits.
     */
    @Override
    public void adamW(float[] p, int po, float[] grad, int go, float[] m, float[] v, int from, int to,
                      float b1, float b2, float c2, float eps, float stepSize, float decay, float gradScale) {
        float a1 = 1 - b1, a2 = 1 - b2;
        int i = from;
        for (; i + L <= to; i += L) {
            FloatVector g = FloatVector.fromArray(S, grad, go + i);
            if (gradScale != 1f) g = g.mul(gradScale);
            FloatVector mi = FloatVector.fromArray(S, m, i).mul(b1).add(g.mul(a1));
            FloatVector vi = FloatVector.fromArray(S, v, i).mul(b2).add(g.mul(a2).mul(g));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            FloatVector denominator = vi.lanewise(VectorOperators.SQRT).div(c2).add(eps);
            FloatVector.fromArray(S, p, po + i).mul(decay).sub(mi.mul(stepSize).div(denominator)).intoArray(p, po + i);
        }
        super.adamW(p, po, grad, go, m, v, i, to, b1, b2, c2, eps, stepSize, decay, gradScale);
    }

    /** Double lanes as wide as the float species (half as many lanes): each float vector widens into two of them. */
    private static final VectorSpecies<Double> DS = VectorSpecies.of(double.class, VectorShape.forBitSize(S.vectorBitSize()));

    /**
     * {@link Kernels#sumOfSquares} in double lanes: each float vector widened into two (exact), squared and added by
     * fma into four running sums, which are added lanewise in a fixed order, then lane by lane from lane 0. The scalar
     * loop (eight double chains) ran at ~1.9 ns an element, 43 ms a step for MiniLM's 22 million gradients on one thread.
     */
    @Override
    public double sumOfSquares(float[] d, int from, int to) {
        DoubleVector s0 = DoubleVector.zero(DS), s1 = s0, s2 = s0, s3 = s0;
        int i = from;
        for (; i + 2 * L <= to; i += 2 * L) {
            FloatVector x = FloatVector.fromArray(S, d, i), y = FloatVector.fromArray(S, d, i + L);
            DoubleVector x0 = (DoubleVector) x.convertShape(VectorOperators.F2D, DS, 0), x1 = (DoubleVector) x.convertShape(VectorOperators.F2D, DS, 1);
            DoubleVector y0 = (DoubleVector) y.convertShape(VectorOperators.F2D, DS, 0), y1 = (DoubleVector) y.convertShape(VectorOperators.F2D, DS, 1);
            s0 = x0.fma(x0, s0);
            s1 = x1.fma(x1, s1);
            s2 = y0.fma(y0, s2);
            s3 = y1.fma(y1, s3);
        }
        double[] lanes = new double[DS.length()];
        s0.add(s1).add(s2.add(s3)).intoArray(lanes, 0);
        double sum = 0;
        for (double lane : lanes) sum += lane;
        for (; i < to; i++) sum += (double) d[i] * d[i];
        return sum;
    }

    private static void geluBackwardRow(float[] xd, int rx, float[] d, int ry, int n) {
        int j = 0;
        for (; j + L <= n; j += L) {
            FloatVector v = FloatVector.fromArray(S, xd, rx + j);
            FloatVector cdf = erf(v.mul(INV_SQRT2)).add(1f).mul(0.5f);
            FloatVector pdf = VectorMath.exp(v.mul(v).mul(-0.5f)).mul(INV_SQRT_2PI);
            v.fma(pdf, cdf).mul(FloatVector.fromArray(S, d, ry + j)).intoArray(d, ry + j);
        }
        for (; j < n; j++) {
            float v = xd[rx + j];
            d[ry + j] *= 0.5f * (1f + erf(v * INV_SQRT2)) + v * VectorMath.exp(-0.5f * v * v) * INV_SQRT_2PI;
        }
    }

    /**
     * LayerNorm's backward per row on vectors (float sums; the reference {@link ScalarKernels#layerNormBackward} sums
     * in double): mean and 1/σ recomputed, then g = dy ⊙ γ, its mean and mean(g ⊙ x̂), dx written (dx may be dy);
     * dγ and dβ summed per task over its rows in float, the tasks' sums added at the end.
     */
    @Override
    public void layerNormBackward(FloatTensor x, FloatTensor gamma, float eps, FloatTensor dy, FloatTensor dx, FloatTensor dgamma, FloatTensor dbeta) {
        checkLayerNormBackward(x, gamma, dy, dx, dgamma, dbeta);
        int m = x.dim(0), n = x.dim(1);
        int tasks = (long) m * n < PARALLEL_MIN_FLOPS ? 1 : Math.min(m, Parallel.threads() * 2), per = ceilDiv(m, tasks);
        float[][] partial = new float[tasks][2 * n];                 // per task: dγ | dβ over its rows
        Parallel.forEach(tasks, task -> {
            for (int i = task * per, end = Math.min(m, i + per); i < end; i++) layerNormBackwardRow(x, gamma, eps, dy, dx, i, partial[task]);
        });
        for (int j = 0; j < n; j++) {
            float sg = 0, sb = 0;
            for (float[] p : partial) {
                sg += p[j];
                sb += p[n + j];
            }
            dgamma.data()[dgamma.offset() + j] += sg;
            dbeta.data()[dbeta.offset() + j] += sb;
        }
    }

    /** Row i of {@link #layerNormBackward}; dγ into sums[0, n), dβ into sums[n, 2n). */
    private static void layerNormBackwardRow(FloatTensor x, FloatTensor gamma, float eps, FloatTensor dy, FloatTensor dx, int i, float[] sums) {
        int n = x.dim(1), tail = n - n % L, go = gamma.offset();
        int r = x.rowOffset(i), ry = dy.rowOffset(i), rx = dx.rowOffset(i);
        float[] xd = x.data(), yd = dy.data(), od = dx.data(), gd = gamma.data();
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0; j < tail; j += L) acc = acc.add(FloatVector.fromArray(S, xd, r + j));
        float sum = VectorMath.sum(acc);
        for (int j = tail; j < n; j++) sum += xd[r + j];
        float mean = sum / n;
        acc = FloatVector.zero(S);
        for (int j = 0; j < tail; j += L) {
            FloatVector t = FloatVector.fromArray(S, xd, r + j).sub(mean);
            acc = t.fma(t, acc);
        }
        float var = VectorMath.sum(acc);
        for (int j = tail; j < n; j++) var += (xd[r + j] - mean) * (xd[r + j] - mean);
        float rstd = (float) (1.0 / Math.sqrt(var / n + eps));
        FloatVector gs = FloatVector.zero(S), gxs = FloatVector.zero(S);
        for (int j = 0; j < tail; j += L) {
            FloatVector xh = FloatVector.fromArray(S, xd, r + j).sub(mean).mul(rstd), d = FloatVector.fromArray(S, yd, ry + j);
            FloatVector g = d.mul(FloatVector.fromArray(S, gd, go + j));
            gs = gs.add(g);
            gxs = g.fma(xh, gxs);
            d.fma(xh, FloatVector.fromArray(S, sums, j)).intoArray(sums, j);
            d.add(FloatVector.fromArray(S, sums, n + j)).intoArray(sums, n + j);
        }
        float gMean = VectorMath.sum(gs), gxMean = VectorMath.sum(gxs);
        for (int j = tail; j < n; j++) {
            float xh = (xd[r + j] - mean) * rstd, d = yd[ry + j], g = d * gd[go + j];
            gMean += g;
            gxMean += g * xh;
            sums[j] += d * xh;
            sums[n + j] += d;
        }
        gMean /= n;
        gxMean /= n;
        for (int j = 0; j < tail; j += L) {
            FloatVector xh = FloatVector.fromArray(S, xd, r + j).sub(mean).mul(rstd);
            FloatVector g = FloatVector.fromArray(S, yd, ry + j).mul(FloatVector.fromArray(S, gd, go + j));
            g.sub(gMean).sub(xh.mul(gxMean)).mul(rstd).intoArray(od, rx + j);
        }
        for (int j = tail; j < n; j++) {
            float xh = (xd[r + j] - mean) * rstd, g = yd[ry + j] * gd[go + j];
            od[rx + j] = (g - gMean - xh * gxMean) * rstd;
        }
    }

    /** GELU(x) = x · ½ · (1 + erf(x/√2)) with {@link #erf(FloatVector)}. */
    static FloatVector gelu(FloatVector x) {
        return x.mul(0.5f).mul(erf(x.mul(INV_SQRT2)).add(1f));
    }

    static float gelu(float x) {
        return 0.5f * x * (1f + erf(x * INV_SQRT2));
    }

    // erf(x) ≈ x·P(x²)/Q(x²) on [-4, 4] (±1 beyond, exact in float): the rational approximation used by
    // Eigen and XLA for float erf, accurate to a few ulp. Tested against ScalarKernels.erf (double).
    private static final float A1 = -1.60960333262415e-02f, A3 = -2.95459980854025e-03f, A5 = -7.34990630326855e-04f,
            A7 = -5.69250639462346e-05f, A9 = -2.10102402082508e-06f, A11 = 2.77068142495902e-08f,
            A13 = -2.72614225801306e-10f;
    private static final float B0 = -1.42647390514189e-02f, B2 = -7.37332916720468e-03f, B4 = -1.68282697438203e-03f,
            B6 = -2.13374055278905e-04f, B8 = -1.45660718464996e-05f;

    static FloatVector erf(FloatVector v) {
        FloatVector x = v.max(-4f).min(4f);
        FloatVector x2 = x.mul(x);
        FloatVector p = x2.fma(A13, A11);
        p = x2.fma(p, FloatVector.broadcast(S, A9));
        p = x2.fma(p, FloatVector.broadcast(S, A7));
        p = x2.fma(p, FloatVector.broadcast(S, A5));
        p = x2.fma(p, FloatVector.broadcast(S, A3));
        p = x2.fma(p, FloatVector.broadcast(S, A1));
        p = p.mul(x);
        FloatVector q = x2.fma(B8, B6);
        q = x2.fma(q, FloatVector.broadcast(S, B4));
        q = x2.fma(q, FloatVector.broadcast(S, B2));
        q = x2.fma(q, FloatVector.broadcast(S, B0));
        return p.div(q);
    }

    static float erf(float v) {
        float x = Math.max(-4f, Math.min(4f, v));
        float x2 = x * x;
        float p = Math.fma(x2, A13, A11);
        p = Math.fma(x2, p, A9);
        p = Math.fma(x2, p, A7);
        p = Math.fma(x2, p, A5);
        p = Math.fma(x2, p, A3);
        p = Math.fma(x2, p, A1);
        p *= x;
        float q = Math.fma(x2, B8, B6);
        q = Math.fma(x2, q, B4);
        q = Math.fma(x2, q, B2);
        q = Math.fma(x2, q, B0);
        return p / q;
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    static int roundUp(int a, int multiple) {
        return ceilDiv(a, multiple) * multiple;
    }
}
