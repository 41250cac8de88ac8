package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import static dev.mlm4j.kernels.FlashAttention.BC;
import static dev.mlm4j.kernels.FlashAttention.WIDE_ROWS;
import static dev.mlm4j.kernels.FlashAttention.endKey;
import static dev.mlm4j.kernels.FlashAttention.firstKey;
import static dev.mlm4j.kernels.FlashAttention.mask;
import static dev.mlm4j.kernels.FlashAttention.scores;
import static dev.mlm4j.kernels.FlashAttention.transpose;

/**
 * The backward of {@link FlashAttention}: FlashAttention's, recomputing each tile's probabilities from the log-sum-exps
 * the forward saved instead of storing the (n, m) score matrix. It is the Vector API side of
 * {@link Kernels#attentionBackward}; {@link ScalarKernels}' is the plain reference it is tested against.
 */
public final class FlashAttentionBackward {
    private FlashAttentionBackward() {}

    private static final VectorSpecies<Float> S = VectorKernels.S;
    private static final int L = VectorKernels.L;
    /**
     * Query rows per tile of the backward. Its dK and dV updates sum over a tile's rows, so four rows (the forward's)
     * meant eight FMAs for every load and store of a key's running sums. One 128-key head, thread CPU time, dropout on:
     * 8 rows 119–128 µs (head size 32) and 218–225 µs (64), 16 rows 113 / 203–208, 32 rows 107–109 / 191–193. Each
     * element's terms still add in row order, so the result is the same bits whatever this is; the scores and the three
     * products go {@link FlashAttention#WIDE_ROWS} rows (or outputs) at a time within it.
     */
    static final int BRB = 32;

    /** One thread's backward workspace, grown as needed. */
    private static final class BackScratch {
        float[] kt = new float[0], vt = new float[0];   // (dk, mp), (dv, mp): k and v transposed, zero-padded
        final float[] p = new float[BRB * BC], dp = new float[BRB * BC];
        float[] dqAcc = new float[0], dkAcc = new float[0], dvAcc = new float[0];
        final float[] delta = new float[BRB], l = new float[BRB];
        final float[] z = new float[BC];                  // one tile row's dropout factors
    }

    private static final ThreadLocal<BackScratch> BACK = ThreadLocal.withInitial(BackScratch::new);

    /**
     * {@link Kernels#attentionBackward} in tiles of {@link #BRB} query rows × {@link FlashAttention#BC} keys: per tile the scores are
     * recomputed (the forward's {@link FlashAttention#scores} GEMM), P = exp(s − lse), dP = dO Vᵀ by the same GEMM against v
     * transposed, then dS = P ⊙ (Z ⊙ dP − D) and the three products accumulated: dQ per query tile, dK and dV over all
     * tiles in float accumulators. Memory: k and v transposed and two BRB × BC tiles per thread, whatever n is.
     */
    public static void backward(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, boolean[] valid, float scale,
                                DropoutMask drop, FloatTensor out, float[] lse, int lseOffset, FloatTensor dOut,
                                FloatTensor dq, FloatTensor dk, FloatTensor dv) {
        backward(q, k, v, causal, -1, valid, scale, drop, out, lse, lseOffset, dOut, dq, dk, dv);
    }

    /** As above, for a forward under a sliding window of {@code halfWindow} keys each side (negative: none). */
    public static void backward(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, int halfWindow, boolean[] valid, float scale,
                                DropoutMask drop, FloatTensor out, float[] lse, int lseOffset, FloatTensor dOut,
                                FloatTensor dq, FloatTensor dk, FloatTensor dv) {
        ScalarKernels.checkAttention(q, k, v, valid, dOut);
        int n = q.dim(0), dkd = q.dim(1), m = k.dim(0), dvd = v.dim(1);
        out.requireShape("attention output", n, dvd);
        dq.requireShape("dq", n, dkd);
        dk.requireShape("dk", m, dkd);
        dv.requireShape("dv", m, dvd);
        BackScratch w = BACK.get();
        int mp = VectorKernels.roundUp(Math.max(m, 1), L);
        if (w.kt.length < dkd * mp) w.kt = new float[dkd * mp];
        if (w.vt.length < dvd * mp) w.vt = new float[dvd * mp];
        if (w.dqAcc.length < BRB * dkd) w.dqAcc = new float[BRB * dkd];
        if (w.dkAcc.length < m * dkd) w.dkAcc = new float[m * dkd];
        if (w.dvAcc.length < m * dvd) w.dvAcc = new float[m * dvd];
        java.util.Arrays.fill(w.dkAcc, 0, m * dkd, 0f);
        java.util.Arrays.fill(w.dvAcc, 0, m * dvd, 0f);
        transpose(k, w.kt, mp);
        transpose(v, w.vt, mp);
        float[] p = w.p, dp = w.dp, qd = q.data(), kd = k.data(), od = dOut.data(), outd = out.data();
        for (int i0 = 0; i0 < n; i0 += BRB) {
            int rows = Math.min(BRB, n - i0);
            for (int r = 0; r < rows; r++) {
                w.delta[r] = dot(od, dOut.rowOffset(i0 + r), outd, out.rowOffset(i0 + r), dvd);
                w.l[r] = lse[lseOffset + i0 + r];
            }
            java.util.Arrays.fill(w.dqAcc, 0, rows * dkd, 0f);
            for (int j0 = firstKey(i0, halfWindow), end = endKey(i0, rows, m, causal, halfWindow); j0 < end; j0 += BC) {
                int jw = Math.min(BC, end - j0), jwp = VectorKernels.roundUp(jw, L);
                scores(q, w.kt, mp, p, 0, i0, rows, j0, jwp, scale);          // the forward's score tiles
                scores(dOut, w.vt, mp, dp, 0, i0, rows, j0, jwp, 1f);
                mask(p, i0, rows, j0, jw, jwp, causal, halfWindow, valid);
                for (int r = 0; r < rows; r++) {
                    int base = r * BC;
                    float l = w.l[r], delta = w.delta[r];
                    if (l == Float.NEGATIVE_INFINITY) {                   // every key masked: no probability, no gradient
                        java.util.Arrays.fill(p, base, base + jwp, 0f);
                        java.util.Arrays.fill(dp, base, base + jwp, 0f);
                        continue;
                    }
                    for (int j = 0; j < jwp; j += L) VectorMath.exp(FloatVector.fromArray(S, p, base + j).sub(l)).intoArray(p, base + j);
                    if (drop.isNone()) {                                   // dS = scale · P (dP − D)
                        for (int j = 0; j < jwp; j += L) {
                            FloatVector pv = FloatVector.fromArray(S, p, base + j);
                            pv.mul(FloatVector.fromArray(S, dp, base + j).sub(delta)).mul(scale).intoArray(dp, base + j);
                        }
                    } else {                                               // dS = scale · P (Z dP − D); P ← Z P for dV
                        float[] z = w.z;
                        drop.factors((long) (i0 + r) * m + j0, z, 0, jw);
                        int j = 0;
                        for (; j + L <= jw; j += L) {
                            FloatVector zv = FloatVector.fromArray(S, z, j), pv = FloatVector.fromArray(S, p, base + j);
                            pv.mul(zv.mul(FloatVector.fromArray(S, dp, base + j)).sub(delta)).mul(scale).intoArray(dp, base + j);
                            pv.mul(zv).intoArray(p, base + j);
                        }
                        for (; j < jw; j++) {
                            float pj = p[base + j];
                            dp[base + j] = pj * (z[j] * dp[base + j] - delta) * scale;
                            p[base + j] = pj * z[j];
                        }
                    }
                }
                // dQ_r += Σ_j dS_rj K_j; dK_j += Σ_r dS_rj Q_r; dV_j += Σ_r (Z P)_rj dO_r: four outputs at a time share x
                rankUpdate(rows, dp, BC, 1, jw, kd, k.rowOffset(j0), k.stride(0), w.dqAcc, 0, dkd, dkd);
                rankUpdate(jw, dp, 1, BC, rows, qd, q.rowOffset(i0), q.stride(0), w.dkAcc, j0 * dkd, dkd, dkd);
                rankUpdate(jw, p, 1, BC, rows, od, dOut.rowOffset(i0), dOut.stride(0), w.dvAcc, j0 * dvd, dvd, dvd);
            }
            for (int r = 0; r < rows; r++) System.arraycopy(w.dqAcc, r * dkd, dq.data(), dq.rowOffset(i0 + r), dkd);
        }
        for (int j = 0; j < m; j++) {
            System.arraycopy(w.dkAcc, j * dkd, dk.data(), dk.rowOffset(j), dkd);
            System.arraycopy(w.dvAcc, j * dvd, dv.data(), dv.rowOffset(j), dvd);
        }
    }

    /** Σ_c a[ao + c] · b[bo + c]. */
    private static float dot(float[] a, int ao, float[] b, int bo, int len) {
        FloatVector acc = FloatVector.zero(S);
        int c = 0;
        for (; c + L <= len; c += L) acc = FloatVector.fromArray(S, a, ao + c).fma(FloatVector.fromArray(S, b, bo + c), acc);
        float s = VectorMath.sum(acc);                    // a fixed tree: reduceLanes(ADD)'s order differs interpreted and compiled
        for (; c < len; c++) s = Math.fma(a[ao + c], b[bo + c], s);
        return s;
    }

    /**
     * For each output o < outputs: {@link #accumulate} of y[yo + o·ys …] with coefficients a[o·aos + t·as], the x rows
     * shared. {@link FlashAttention#WIDE_ROWS} outputs at a time (then four), two vectors wide, each pair of x loads used for all of
     * them; the columns past the last pair of vectors, and the outputs left over, one at a time.
     */
    private static void rankUpdate(int outputs, float[] a, int aos, int as, int count, float[] x, int xo, int xs,
                                   float[] y, int yo, int ys, int len) {
        int o = 0, c2 = len / (2 * L) * (2 * L);
        if (c2 > 0) {
            if (WIDE_ROWS == 8) {
                for (; o + 8 <= outputs; o += 8) {
                    for (int c = 0; c < c2; c += 2 * L) rank8(a, o * aos, aos, as, count, x, xo + c, xs, y, yo + o * ys + c, ys);
                }
            }
            for (; o + 4 <= outputs; o += 4) {
                for (int c = 0; c < c2; c += 2 * L) rank4(a, o * aos, aos, as, count, x, xo + c, xs, y, yo + o * ys + c, ys);
            }
            if (c2 < len) {
                for (int r = 0; r < o; r++) accumulateFrom(c2, a, r * aos, as, count, x, xo, xs, y, yo + r * ys, len);
            }
        }
        for (; o < outputs; o++) accumulate(a, o * aos, as, count, x, xo, xs, y, yo + o * ys, len);
    }

    /** Four outputs of {@link #rankUpdate}, two vectors from x[xo] / y[yo]: eight running sums, each x load used four times. */
    private static void rank4(float[] a, int at, int aos, int as, int count, float[] x, int xr, int xs, float[] y, int y0, int ys) {
        int y1 = y0 + ys, y2 = y1 + ys, y3 = y2 + ys;
        FloatVector s00 = FloatVector.fromArray(S, y, y0), s01 = FloatVector.fromArray(S, y, y0 + L);
        FloatVector s10 = FloatVector.fromArray(S, y, y1), s11 = FloatVector.fromArray(S, y, y1 + L);
        FloatVector s20 = FloatVector.fromArray(S, y, y2), s21 = FloatVector.fromArray(S, y, y2 + L);
        FloatVector s30 = FloatVector.fromArray(S, y, y3), s31 = FloatVector.fromArray(S, y, y3 + L);
        for (int t = 0; t < count; t++, xr += xs, at += as) {
            FloatVector x0 = FloatVector.fromArray(S, x, xr), x1 = FloatVector.fromArray(S, x, xr + L);
            FloatVector b = FloatVector.broadcast(S, a[at]);
            s00 = b.fma(x0, s00);
            s01 = b.fma(x1, s01);
            b = FloatVector.broadcast(S, a[at + aos]);
            s10 = b.fma(x0, s10);
            s11 = b.fma(x1, s11);
            b = FloatVector.broadcast(S, a[at + 2 * aos]);
            s20 = b.fma(x0, s20);
            s21 = b.fma(x1, s21);
            b = FloatVector.broadcast(S, a[at + 3 * aos]);
            s30 = b.fma(x0, s30);
            s31 = b.fma(x1, s31);
        }
        s00.intoArray(y, y0);
        s01.intoArray(y, y0 + L);
        s10.intoArray(y, y1);
        s11.intoArray(y, y1 + L);
        s20.intoArray(y, y2);
        s21.intoArray(y, y2 + L);
        s30.intoArray(y, y3);
        s31.intoArray(y, y3 + L);
    }

    /** {@link #rank4} for eight outputs: sixteen running sums, each x load used eight times. */
    private static void rank8(float[] a, int at, int aos, int as, int count, float[] x, int xr, int xs, float[] y, int y0, int ys) {
        int y1 = y0 + ys, y2 = y1 + ys, y3 = y2 + ys, y4 = y3 + ys, y5 = y4 + ys, y6 = y5 + ys, y7 = y6 + ys;
        FloatVector s00 = FloatVector.fromArray(S, y, y0), s01 = FloatVector.fromArray(S, y, y0 + L);
        FloatVector s10 = FloatVector.fromArray(S, y, y1), s11 = FloatVector.fromArray(S, y, y1 + L);
        FloatVector s20 = FloatVector.fromArray(S, y, y2), s21 = FloatVector.fromArray(S, y, y2 + L);
        FloatVector s30 = FloatVector.fromArray(S, y, y3), s31 = FloatVector.fromArray(S, y, y3 + L);
        FloatVector s40 = FloatVector.fromArray(S, y, y4), s41 = FloatVector.fromArray(S, y, y4 + L);
        FloatVector s50 = FloatVector.fromArray(S, y, y5), s51 = FloatVector.fromArray(S, y, y5 + L);
        FloatVector s60 = FloatVector.fromArray(S, y, y6), s61 = FloatVector.fromArray(S, y, y6 + L);
        FloatVector s70 = FloatVector.fromArray(S, y, y7), s71 = FloatVector.fromArray(S, y, y7 + L);
        for (int t = 0; t < count; t++, xr += xs, at += as) {
            FloatVector x0 = FloatVector.fromArray(S, x, xr), x1 = FloatVector.fromArray(S, x, xr + L);
            FloatVector b = FloatVector.broadcast(S, a[at]);
            s00 = b.fma(x0, s00);
            s01 = b.fma(x1, s01);
            b = FloatVector.broadcast(S, a[at + aos]);
            s10 = b.fma(x0, s10);
            s11 = b.fma(x1, s11);
            b = FloatVector.broadcast(S, a[at + 2 * aos]);
            s20 = b.fma(x0, s20);
            s21 = b.fma(x1, s21);
            b = FloatVector.broadcast(S, a[at + 3 * aos]);
            s30 = b.fma(x0, s30);
            s31 = b.fma(x1, s31);
            b = FloatVector.broadcast(S, a[at + 4 * aos]);
            s40 = b.fma(x0, s40);
            s41 = b.fma(x1, s41);
            b = FloatVector.broadcast(S, a[at + 5 * aos]);
            s50 = b.fma(x0, s50);
            s51 = b.fma(x1, s51);
            b = FloatVector.broadcast(S, a[at + 6 * aos]);
            s60 = b.fma(x0, s60);
            s61 = b.fma(x1, s61);
            b = FloatVector.broadcast(S, a[at + 7 * aos]);
            s70 = b.fma(x0, s70);
            s71 = b.fma(x1, s71);
        }
        s00.intoArray(y, y0);
        s01.intoArray(y, y0 + L);
        s10.intoArray(y, y1);
        s11.intoArray(y, y1 + L);
        s20.intoArray(y, y2);
        s21.intoArray(y, y2 + L);
        s30.intoArray(y, y3);
        s31.intoArray(y, y3 + L);
        s40.intoArray(y, y4);
        s41.intoArray(y, y4 + L);
        s50.intoArray(y, y5);
        s51.intoArray(y, y5 + L);
        s60.intoArray(y, y6);
        s61.intoArray(y, y6 + L);
        s70.intoArray(y, y7);
        s71.intoArray(y, y7 + L);
    }

    /** {@link #accumulate} of the columns from {@code c0} on. */
    private static void accumulateFrom(int c0, float[] a, int ao, int as, int count, float[] x, int xo, int xs, float[] y, int yo, int len) {
        accumulate(a, ao, as, count, x, xo + c0, xs, y, yo + c0, len - c0);
    }

    /**
     * y[yo + c] += Σ_t a_t · x[xo + t·xs + c] for c < len, with a_t = a[ao + t·as], t < count (a zero a_t skipped): the
     * rank-{@code count} update the backward's three products are made of. Each output element sums its terms in t
     * order with one fma each, as {@code count} row-by-row axpy calls would, but the running sums stay in registers
     * (up to four vectors wide) across t instead of being loaded and stored for every term.
     */
    private static void accumulate(float[] a, int ao, int as, int count, float[] x, int xo, int xs, float[] y, int yo, int len) {
        int c = 0;
        for (; c + 4 * L <= len; c += 4 * L) {
            FloatVector y0 = FloatVector.fromArray(S, y, yo + c), y1 = FloatVector.fromArray(S, y, yo + c + L);
            FloatVector y2 = FloatVector.fromArray(S, y, yo + c + 2 * L), y3 = FloatVector.fromArray(S, y, yo + c + 3 * L);
            for (int t = 0, xr = xo + c; t < count; t++, xr += xs) {
                float at = a[ao + t * as];
                if (at == 0f) continue;
                FloatVector av = FloatVector.broadcast(S, at);
                y0 = av.fma(FloatVector.fromArray(S, x, xr), y0);
                y1 = av.fma(FloatVector.fromArray(S, x, xr + L), y1);
                y2 = av.fma(FloatVector.fromArray(S, x, xr + 2 * L), y2);
                y3 = av.fma(FloatVector.fromArray(S, x, xr + 3 * L), y3);
            }
            y0.intoArray(y, yo + c);
            y1.intoArray(y, yo + c + L);
            y2.intoArray(y, yo + c + 2 * L);
            y3.intoArray(y, yo + c + 3 * L);
        }
        for (; c + 2 * L <= len; c += 2 * L) {
            FloatVector y0 = FloatVector.fromArray(S, y, yo + c), y1 = FloatVector.fromArray(S, y, yo + c + L);
            for (int t = 0, xr = xo + c; t < count; t++, xr += xs) {
                float at = a[ao + t * as];
                if (at == 0f) continue;
                FloatVector av = FloatVector.broadcast(S, at);
                y0 = av.fma(FloatVector.fromArray(S, x, xr), y0);
                y1 = av.fma(FloatVector.fromArray(S, x, xr + L), y1);
            }
            y0.intoArray(y, yo + c);
            y1.intoArray(y, yo + c + L);
        }
        for (; c + L <= len; c += L) {
            FloatVector y0 = FloatVector.fromArray(S, y, yo + c);
            for (int t = 0, xr = xo + c; t < count; t++, xr += xs) {
                float at = a[ao + t * as];
                if (at != 0f) y0 = FloatVector.broadcast(S, at).fma(FloatVector.fromArray(S, x, xr), y0);
            }
            y0.intoArray(y, yo + c);
        }
        for (; c < len; c++) {
            float s = y[yo + c];
            for (int t = 0; t < count; t++) {
                float at = a[ao + t * as];
                if (at != 0f) s = Math.fma(at, x[xo + t * xs + c], s);
            }
            y[yo + c] = s;
        }
    }
}
