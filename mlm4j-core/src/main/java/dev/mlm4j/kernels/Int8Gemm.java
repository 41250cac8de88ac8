package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Weight-only int8 GEMM for linear layers: {@code out (n, out) = epilogue(x (n, in) · (scale ⊙ Q)ᵀ + bias)} with Q an
 * {@link Int8Matrix}. Activations stay fp32: each micro-kernel step loads NR int8 weights, widens them to two
 * float vectors (byte → float conversion) and issues 2·MR FMAs against broadcast x values; the per-channel scale is
 * applied once per output, in the epilogue, with the bias, residual and GELU of {@link Epilogue}.
 *
 * <p>Tiles are MR = 6 (tails 4, 2, 1) rows × NR columns with all of k at once (an int8 panel of k = 3072 is 96 KB).
 * When a task has more than one row tile, each panel is widened to floats once into a per-thread scratch and every
 * tile reads that (the conversion is then paid once per panel and task, not once per tile); the FMAs and their
 * order are the same either way, so results do not depend on how many rows share a call;
 * work is split like {@link Gemm}'s: row blocks when there are many rows, column panels when there are few.
 * This is the Vector API side of {@link Kernels#linear(FloatTensor, Int8Matrix, FloatTensor, Epilogue, FloatTensor,
 * FloatTensor)}; {@link ScalarKernels} has the plain reference, which gives the same bits.
 * Whether this beats fp32 depends on whether the conversions cost less than the memory they save: see
 * docs/BENCHMARKS.md.
 */
public final class Int8Gemm {
    private Int8Gemm() {}

    private static final VectorSpecies<Float> S = VectorKernels.S;
    private static final int L = VectorKernels.L;
    private static final int NR = Int8Matrix.NR;
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));
    /**
     * Null, or with 128-bit floats (L = 4) the first L lanes of B: the narrowest byte vector is 64 bits, twice the L bytes
     * one load widens, so it reads those lanes only (a full load would run past the end of the last panel).
     */
    private static final VectorMask<Byte> FIRST_L = B.length() > L ? B.indexInRange(0, L) : null;
    private static final int MR = 6;
    private static final long MIN_TASK_FMAS = 1L << 18;

    /**
     * @param x        (n, in), rows may be strided
     * @param w        the quantised weight
     * @param bias     (out) or null (only with {@link Epilogue#NONE})
     * @param residual (n, out), only with {@link Epilogue#BIAS_RESIDUAL}; may be {@code out} itself
     * @param out      (n, out), written
     */
    public static void linear(FloatTensor x, Int8Matrix w, FloatTensor bias, Epilogue e, FloatTensor residual, FloatTensor out) {
        int n = x.dim(0), k = w.in(), m = w.out(), panels = w.panels();
        Gemm.check(x, k, m, w, bias, e, residual, out);
        if (n == 0 || m == 0) return;
        int threads = Parallel.threads();
        long fmas = (long) n * k * m;
        int maxTasks = threads <= 1 ? 1 : (int) Math.max(1, Math.min(4L * threads, fmas / MIN_TASK_FMAS));
        int rowTasks = Math.min(maxTasks, Math.max(1, n / 32));
        int rowsPer = ceilDiv(n, rowTasks);
        rowsPer = Math.min(n, ceilDiv(rowsPer, MR) * MR);
        rowTasks = ceilDiv(n, rowsPer);
        int colTasks = Math.min(panels, Math.max(1, maxTasks / rowTasks));
        int panelsPer = ceilDiv(panels, colTasks), cols = ceilDiv(panels, panelsPer);
        int rp = rowsPer;
        Parallel.forEach(rowTasks * cols, t -> {
            int r = t / cols, q = t % cols;
            block(x, w, bias, e, residual, out, r * rp, Math.min(n, (r + 1) * rp), q * panelsPer, Math.min(panels, (q + 1) * panelsPer));
        });
    }

    private static void block(FloatTensor x, Int8Matrix w, FloatTensor bias, Epilogue e, FloatTensor residual, FloatTensor out,
                              int i0, int i1, int q0, int q1) {
        int k = w.in(), m = w.out();
        float[] acc = new float[MR * NR];
        byte[] wd = w.data();
        float[] xd = x.data(), sc = w.scales();
        int ldx = x.stride(0);
        // with several row tiles per panel, widen the panel to floats once and let every tile read that
        float[] wide = i1 - i0 > MR ? widened(k) : null;
        for (int q = q0; q < q1; q++) {
            int j = q * NR, cols = Math.min(NR, m - j), bo = q * k * NR;
            if (wide != null) widen(wd, bo, k, wide);
            for (int i = i0; i < i1; ) {
                int rows = Math.min(i1 - i, MR);
                rows = rows >= MR ? MR : rows >= 4 ? 4 : rows >= 2 ? 2 : 1;
                int ao = x.rowOffset(i);
                if (wide != null) {
                    // Gemm's fp32 micro-kernels on the widened panel, accumulating into a zeroed tile: the same
                    // FMAs from 0 in the same order as the int8 kernels below, so the same bits
                    java.util.Arrays.fill(acc, 0, rows * NR, 0f);
                    switch (rows) {
                        case 6 -> MicroKernels.kernel6(xd, ao, ldx, wide, 0, k, acc, 0, NR);
                        case 4 -> MicroKernels.kernel4(xd, ao, ldx, wide, 0, k, acc, 0, NR);
                        case 2 -> MicroKernels.kernel2(xd, ao, ldx, wide, 0, k, acc, 0, NR);
                        default -> MicroKernels.kernel1(xd, ao, ldx, wide, 0, k, acc, 0, NR);
                    }
                } else {
                    switch (rows) {
                        case 6 -> kernel6(xd, ao, ldx, wd, bo, k, acc);
                        case 4 -> kernel4(xd, ao, ldx, wd, bo, k, acc);
                        default -> kernelSmall(rows, xd, ao, ldx, wd, bo, k, acc);
                    }
                }
                store(acc, rows, sc, j, cols, bias, e, residual, out, i);
                i += rows;
            }
        }
    }

    /** out[i + r][j + c] = epilogue(acc[r][c] · scale[j + c] + bias + residual). */
    private static void store(float[] acc, int rows, float[] sc, int j, int cols, FloatTensor bias, Epilogue e, FloatTensor residual,
                              FloatTensor out, int i) {
        float[] od = out.data(), bd = bias == null ? null : bias.data(), rd = residual == null ? null : residual.data();
        int bo = bias == null ? 0 : bias.offset();
        for (int r = 0; r < rows; r++) {
            int o = out.rowOffset(i + r) + j, ro = residual == null ? 0 : residual.rowOffset(i + r) + j, c = 0;
            if (cols == NR) {
                for (; c < NR; c += L) {
                    FloatVector v = FloatVector.fromArray(S, acc, r * NR + c).mul(FloatVector.fromArray(S, sc, j + c));
                    if (bd != null) v = v.add(FloatVector.fromArray(S, bd, bo + j + c));
                    if (rd != null) v = v.add(FloatVector.fromArray(S, rd, ro + c));
                    if (e.gelu()) v = VectorKernels.gelu(v);
                    v.intoArray(od, o + c);
                }
            }
            for (; c < cols; c++) {
                float v = acc[r * NR + c] * sc[j + c];
                if (bd != null) v += bd[bo + j + c];
                if (rd != null) v += rd[ro + c];
                if (e.gelu()) v = VectorKernels.gelu(v);
                od[o + c] = v;
            }
        }
    }

    private static final ThreadBuffer WIDE = new ThreadBuffer();

    /** This thread's scratch for one panel widened to floats (k × NR). */
    private static float[] widened(int k) {
        return WIDE.get(k * NR);
    }

    /** dst[p · NR + c] = (float) q[bo + p · NR + c]: exact, so the float kernels give the int8 kernels' results bit for bit. */
    private static void widen(byte[] w, int bo, int k, float[] dst) {
        for (int p = 0, o = 0; p < k; p++, o += NR) {
            lo(w, bo + o).intoArray(dst, o);
            lo(w, bo + o + L).intoArray(dst, o + L);
        }
    }

    private static FloatVector lo(byte[] w, int p) {
        ByteVector bytes = FIRST_L == null ? ByteVector.fromArray(B, w, p) : ByteVector.fromArray(B, w, p, FIRST_L);
        return (FloatVector) bytes.convertShape(VectorOperators.B2F, S, 0);
    }

    // ---- micro-kernels straight from int8: Gemm's loop with each panel load widened from bytes ----------
    // Unrolled by hand for the reason Gemm's are: named accumulators stay in registers for the whole of k.
    // They differ from Gemm's only in the load (bytes converted to floats), which is the point of int8; the fp32
    // work itself is Gemm's own kernels (block() above, on a widened panel). Passing the load in as a function
    // would put a call into the innermost FMA loop, so the two loads stay two written-out loops.

    private static void kernel6(float[] a, int ao, int lda, byte[] w, int bo, int k, float[] acc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int a0 = ao, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        for (int p = 0, bp = bo; p < k; p++, bp += NR) {
            FloatVector b0 = lo(w, bp), b1 = lo(w, bp + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[a4 + p]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[a5 + p]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        c00.intoArray(acc, 0);
        c01.intoArray(acc, L);
        c10.intoArray(acc, NR);
        c11.intoArray(acc, NR + L);
        c20.intoArray(acc, 2 * NR);
        c21.intoArray(acc, 2 * NR + L);
        c30.intoArray(acc, 3 * NR);
        c31.intoArray(acc, 3 * NR + L);
        c40.intoArray(acc, 4 * NR);
        c41.intoArray(acc, 4 * NR + L);
        c50.intoArray(acc, 5 * NR);
        c51.intoArray(acc, 5 * NR + L);
    }

    private static void kernel4(float[] a, int ao, int lda, byte[] w, int bo, int k, float[] acc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        int a0 = ao, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        for (int p = 0, bp = bo; p < k; p++, bp += NR) {
            FloatVector b0 = lo(w, bp), b1 = lo(w, bp + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        c00.intoArray(acc, 0);
        c01.intoArray(acc, L);
        c10.intoArray(acc, NR);
        c11.intoArray(acc, NR + L);
        c20.intoArray(acc, 2 * NR);
        c21.intoArray(acc, 2 * NR + L);
        c30.intoArray(acc, 3 * NR);
        c31.intoArray(acc, 3 * NR + L);
    }

    /** 1 or 2 rows (and the row tails): two accumulators per row, kept in registers for the whole of k. */
    private static void kernelSmall(int rows, float[] a, int ao, int lda, byte[] w, int bo, int k, float[] acc) {
        for (int r = 0; r < rows; r += 2) {
            boolean two = r + 1 < rows;
            FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
            int a0 = ao + r * lda, a1 = two ? a0 + lda : a0;
            for (int p = 0, bp = bo; p < k; p++, bp += NR) {
                FloatVector b0 = lo(w, bp), b1 = lo(w, bp + L);
                FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
                c00 = x.fma(b0, c00);
                c01 = x.fma(b1, c01);
                x = FloatVector.broadcast(S, a[a1 + p]);
                c10 = x.fma(b0, c10);
                c11 = x.fma(b1, c11);
            }
            c00.intoArray(acc, r * NR);
            c01.intoArray(acc, r * NR + L);
            if (two) {
                c10.intoArray(acc, (r + 1) * NR);
                c11.intoArray(acc, (r + 1) * NR + L);
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
