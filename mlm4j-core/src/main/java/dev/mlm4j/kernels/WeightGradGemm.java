package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;
import jdk.incubator.vector.FloatVector;

import static dev.mlm4j.kernels.Gemm.NR;
import static dev.mlm4j.kernels.Gemm.ceilDiv;
import static dev.mlm4j.kernels.Gemm.padded;
import static dev.mlm4j.kernels.Gemm.roundUp;

/**
 * A linear layer's weight gradient, {@code dw (out, in) += dyᵀ · x} (and {@code db += Σ_t dy[t]}), on {@link Gemm}'s
 * micro-kernels; its plain reference is {@link ScalarKernels#linearWeightGrad}.
 *
 * <p>The product's rows are dy's columns and its inner dimension is the tokens, so the micro-kernel wants dyᵀ and x
 * in panels. Transposing all of dy into an (out, n) array and packing all of x first (what this replaced) cost 3–7 ns
 * a float for the transpose (a row of dyᵀ is a token count of floats long, so one tile's writes fall 16 KB apart, into
 * the same few cache sets) and streamed the packed x, tens of MB, from memory once per row task. Here each task (one
 * a thread, split along the larger of dw's two sides) works a k block of {@value #KC} tokens at a time, GotoBLAS-style:
 * it copies its rows of dyᵀ for the block into a buffer whose row stride is padded off a power of two, then for each
 * panel of {@link PackedMatrix#NR} of x's features copies that slice of x (32 KB: it stays in L1) and runs every row
 * tile over it. MiniLM's weight gradients at 32 × 128 tokens: 1.15–1.5× the old path's speed on two threads.
 *
 * <p>Each dw element is one FMA chain over the tokens in order, started from dw itself, and each db element a float
 * sum over the tokens in order from zero, then added: the bits of the transpose-then-GEMM this replaced, whatever the
 * tiling or the number of threads.
 */
final class WeightGradGemm {
    private WeightGradGemm() {}

    /** Tokens per k block: the block of dyᵀ a task packs (its rows × KC floats) and each slice of x (KC × NR, 32 KB). 128–1024 measured; 256 best. */
    static final int KC = 256;
    /** Floats (1 MB) of dyᵀ a task packs at a time: rows beyond it go in chunks, each slice of x copied again for each. */
    private static final int A_BLOCK_FLOATS = 1 << 18;
    /** Fewest multiply-adds (~5 µs) worth handing to another thread. */
    private static final long MIN_TASK_FMAS = 1L << 18;
    /**
     * One task a thread: every task packs the whole of one operand for itself, so more tasks pack it more often (four a
     * thread ran MiniLM's weight gradients 0.7–1.4× as fast as the transpose-then-GEMM before this; one, 1.05–1.5×).
     */
    private static final int TASKS_PER_THREAD = 1;

    /** dw += dyᵀ · x, db (null for none) += the column sums of dy; shapes checked by the caller. */
    static void accumulate(FloatTensor x, FloatTensor dy, FloatTensor dw, FloatTensor db) {
        int n = x.dim(0), in = x.dim(1), out = dy.dim(1);
        if (n == 0 || out == 0 || in == 0) return;
        int panels = ceilDiv(in, NR), threads = Parallel.threads();
        long fmas = (long) n * in * out;
        int tasks = threads <= 1 ? 1 : (int) Math.max(1, Math.min((long) TASKS_PER_THREAD * threads, fmas / MIN_TASK_FMAS));
        // Split the larger operand: each task packs the whole of the other one (x's columns for a split by rows, dy's
        // for a split by panels), so the duplicated packing is of the smaller.
        if (in >= out || ceilDiv(out, Gemm.MR) < 2) {
            int per = ceilDiv(panels, Math.min(tasks, panels)), count = ceilDiv(panels, per);
            Parallel.forEach(count, t -> block(x, dy, dw, t == 0 ? db : null, 0, out, t * per, Math.min(panels, (t + 1) * per)));
        } else {
            int per = roundUp(ceilDiv(out, Math.min(tasks, ceilDiv(out, Gemm.MR))), Gemm.MR), count = ceilDiv(out, per);
            Parallel.forEach(count, t -> block(x, dy, dw, db, t * per, Math.min(out, (t + 1) * per), 0, panels));
        }
    }

    /** Rows [o0, o1) of dw × panels [q0, q1) of x's features, all tokens; db's rows too when it is given. */
    private static void block(FloatTensor x, FloatTensor dy, FloatTensor dw, FloatTensor db, int o0, int o1, int q0, int q1) {
        int n = x.dim(0), in = x.dim(1), rows = o1 - o0;
        int blocks = ceilDiv(n, KC), kc = ceilDiv(n, blocks);
        int lda = padded(kc);
        // rows go in chunks whose block of dyᵀ stays in L2 (a decoder's vocabulary-sized dw would not)
        int mc = Math.min(rows, Math.max(Gemm.MR, A_BLOCK_FLOATS / lda / Gemm.MR * Gemm.MR));
        float[] a = A.get(mc * lda), bp = B.get(kc * NR), d = dy.data(), xd = x.data(), c = dw.data();
        int ldy = dy.stride(0), ldx = x.stride(0), ldc = dw.stride(0), dwo = dw.offset();
        float[] sums = db == null ? null : new float[rows];
        float[] edge = null;
        for (int kb = 0; kb < n; kb += kc) {
            int kl = Math.min(kc, n - kb);
            for (int m0 = 0; m0 < rows; m0 += mc) {
                int mr = Math.min(mc, rows - m0);
                pack(d, dy.offset() + kb * ldy + o0 + m0, ldy, mr, kl, a, lda, sums, m0);
                for (int q = q0; q < q1; q++) {
                    int j = q * NR, width = Math.min(NR, in - j), xs = x.offset() + kb * ldx + j;
                    if (width == NR) {
                        copyPanel(xd, xs, ldx, kl, bp);
                    } else {
                        for (int p = 0; p < kl; p++) System.arraycopy(xd, xs + p * ldx, bp, p * NR, width);
                        for (int p = 0; p < kl; p++) java.util.Arrays.fill(bp, p * NR + width, p * NR + NR, 0f);
                    }
                    for (int i = 0; i < mr; ) {
                        int tile = Gemm.tileRows(mr - i), co = dwo + (o0 + m0 + i) * ldc + j;
                        if (width == NR) {
                            MicroKernels.kernel(Gemm.INTERLEAVE, tile, a, i * lda, lda, bp, 0, kl, c, co, ldc);
                        } else {
                            // the last panel, narrower than NR: the full-width kernel on a scratch tile
                            if (edge == null) edge = new float[Gemm.MR * NR];
                            for (int r = 0; r < tile; r++) System.arraycopy(c, co + r * ldc, edge, r * NR, width);
                            MicroKernels.kernel(Gemm.INTERLEAVE, tile, a, i * lda, lda, bp, 0, kl, edge, 0, NR);
                            for (int r = 0; r < tile; r++) System.arraycopy(edge, r * NR, c, co + r * ldc, width);
                        }
                        i += tile;
                    }
                }
            }
        }
        if (sums != null) {
            float[] g = db.data();
            for (int r = 0; r < rows; r++) g[db.offset() + o0 + r] += sums[r];
        }
    }

    /**
     * a[r·lda + p] = d[src + p·ldy + r] for r &lt; rows, p &lt; kl: the block of dyᵀ (each token's run of dy read in
     * order, written down a column of the buffer, whose padded stride spreads the column over the cache's sets); with
     * {@link Gemm#INTERLEAVE} the full 12-row tiles interleaved instead (a tile's 12 values of token p side by side at
     * a[t·lda + 12·p], copied as one run of dy: 1.15–1.2× the weight gradient's speed at MiniLM's shapes), the rows
     * after them as before; sums[so + r] += each value in token order.
     */
    static void pack(float[] d, int src, int ldy, int rows, int kl, float[] a, int lda, float[] sums, int so) {
        int full = Gemm.INTERLEAVE ? rows / 12 * 12 : 0;
        for (int p = 0, s = src; p < kl; p++, s += ldy) {
            if (SPLIT12) {
                // 12 floats as an 8-float and a 4-float vector: System.arraycopy's call for each took ~8 % of a weight
                // gradient's time, and a masked 16-lane vector did not stay on C2's intrinsics (a slow broadcast path)
                for (int t = 0, at = 12 * p; t < full; t += 12, at += 12 * lda) {
                    FloatVector.fromArray(FloatVector.SPECIES_256, d, s + t).intoArray(a, at);
                    FloatVector.fromArray(FloatVector.SPECIES_128, d, s + t + 8).intoArray(a, at + 8);
                }
            } else {
                for (int t = 0, at = 12 * p; t < full; t += 12, at += 12 * lda) System.arraycopy(d, s + t, a, at, 12);
            }
            for (int r = full, at = full * lda + p; r < rows; r++, at += lda) a[at] = d[s + r];
            // each row's sum over the tokens in order, L rows side by side, while the token's run is in L1 (one chain a
            // row, as a scalar loop per row adds them: the same bits); a loop per row waited on each add in turn
            if (sums != null) addRow(d, s, sums, so, rows);
        }
    }

    /** Whether a 12-row tile's values of one token are copied as 8 + 4 floats (vectors of 256 bits or more in hardware). */
    private static final boolean SPLIT12 = VectorKernels.S.vectorBitSize() >= 256;

    /** bp[p·NR + c] = xd[xs + p·ldx + c] for p &lt; kl, c &lt; NR (two vectors a token; NR is 2·L). */
    private static void copyPanel(float[] xd, int xs, int ldx, int kl, float[] bp) {
        int l = VectorKernels.L;
        for (int p = 0, from = xs, to = 0; p < kl; p++, from += ldx, to += NR) {
            FloatVector.fromArray(VectorKernels.S, xd, from).intoArray(bp, to);
            FloatVector.fromArray(VectorKernels.S, xd, from + l).intoArray(bp, to + l);
        }
    }

    /** sums[so + r] += d[s + r] for r &lt; n. */
    private static void addRow(float[] d, int s, float[] sums, int so, int n) {
        int r = 0;
        for (; r + VectorKernels.L <= n; r += VectorKernels.L) {
            FloatVector.fromArray(VectorKernels.S, sums, so + r).add(FloatVector.fromArray(VectorKernels.S, d, s + r)).intoArray(sums, so + r);
        }
        for (; r < n; r++) sums[so + r] += d[s + r];
    }

    /** The calling thread's buffers for a block of dyᵀ and a slice of x. */
    private static final ThreadBuffer A = new ThreadBuffer(), B = new ThreadBuffer();
}
