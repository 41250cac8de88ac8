package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention of one head of one sequence without the (n, m) score matrix: {@code out = softmax(mask(q kᵀ · scale)) v},
 * computed in tiles of {@link #BR} query rows × {@link #BC} keys with an online softmax (FlashAttention's
 * recurrence: a running row maximum and row sum, the partial output rescaled when the maximum grows). Memory
 * is one transposed copy of k and a BR × BC tile, per thread, whatever n is.
 *
 * <p>Sequences of at most {@link #BC} keys — nearly every sentence — are the fast path: one key tile, so the
 * softmax is exact in one pass with no rescaling. Keys above the diagonal of a causal mask are never computed.
 *
 * <p>Inside a tile, scores are a small GEMM against the transposed keys (broadcast q, stream kᵀ: no horizontal
 * sums) and {@code P v} broadcasts each probability against rows of v. Only lanewise operations, fma and the
 * fixed-order {@link VectorMath#sum} / {@link VectorMath#exp} are used, so the result is bit-identical
 * interpreted or compiled. It agrees with the exact path (scores → softmax → A v, {@link ScalarKernels#attention}) to
 * ~1e-6; the explorer, which needs the probabilities themselves, keeps the exact path. It is the Vector API side of
 * {@link Kernels#attention}.
 */
public final class FlashAttention {
    private FlashAttention() {}

    private static final VectorSpecies<Float> S = VectorKernels.S;
    private static final int L = VectorKernels.L;
    /**
     * Rows of the widest register tile: eight rows × two vectors (sixteen running sums, each pair of loads used
     * eight times) where the species has 32 registers (512-bit), four rows (eight sums) on 256 and 128 bits, whose
     * sixteen registers would spill eight rows. {@code -Dmlm4j.attention.rows=4} keeps four rows anywhere. MiniLM's and
     * bert-base's 128-key heads, one thread, dropout off, four → eight rows: head size 32 forward 40.6 → 35.5 µs, backward
     * 74.5 → 64.2; head size 64 66.7 → 54.7 and 147.5 → 130.2. The grouping never changes the bits.
     */
    static final int WIDE_ROWS = L >= 16 && Integer.getInteger("mlm4j.attention.rows", 8) >= 8 ? 8 : 4;
    /** Query rows per tile of the forward. */
    static final int BR = WIDE_ROWS;
    /**
     * Query rows per tile of the backward. Its dK and dV updates sum over a tile's rows, so four rows (the forward's)
     * meant eight FMAs for every load and store of a key's running sums. One 128-key head, thread CPU time, dropout on:
     * 8 rows 119–128 µs (head size 32) and 218–225 µs (64), 16 rows 113 / 203–208, 32 rows 107–109 / 191–193. Each
     * element's terms still add in row order, so the result is the same bits whatever this is; the scores and the three
     * products go {@link #WIDE_ROWS} rows (or outputs) at a time within it.
     */
    static final int BRB = 32;
    /** Keys per tile (a multiple of 2 vectors); sequences up to this long take one tile. */
    static final int BC = Math.max(2 * L, Integer.getInteger("mlm4j.attention.block", 256) / (2 * L) * (2 * L));

    /** One thread's workspace, grown as needed. */
    private static final class Scratch {
        float[] kt = new float[0];            // (dk, mp): k transposed, zero-padded to a multiple of L keys
        final float[] s = new float[BR * BC]; // (BR, BC): scores, then probabilities, of one tile
        float[] o = new float[0];             // (BR, dv): unnormalised output rows
        final float[] max = new float[BR], sum = new float[BR];
        final float[] lanes = new float[L];         // one vector's lanes, for VectorMath.sumLanes
        final float[] z = new float[BC];            // one tile row's dropout factors
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * @param q         (n, dk) queries, a column view (row stride ≥ dk) is fine
     * @param k         (m, dk) keys
     * @param v         (m, dv) values
     * @param causal    query i sees keys j ≤ i only
     * @param validKeys null, or (m): keys marked false (padding) get no weight
     * @param scale     usually 1/√dk
     * @param out       (n, dv), written; a row whose every key is masked becomes 0
     */
    public static void attend(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, boolean[] validKeys, float scale, FloatTensor out) {
        attend(q, k, v, causal, validKeys, scale, DropoutMask.NONE, out, null, 0);
    }

    /**
     * The training forward ({@link Kernels#attentionTraining}): as above, the probabilities multiplied by the dropout mask
     * {@code drop} before they meet v (the row sums stay those of the undropped probabilities), and each row's
     * log-sum-exp written to {@code lse} (from {@code lseOffset}) when it is not null.
     */
    public static void attend(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, boolean[] validKeys, float scale,
                              DropoutMask drop, FloatTensor out, float[] lse, int lseOffset) {
        ScalarKernels.checkAttention(q, k, v, validKeys, out);
        int n = q.dim(0), dk = q.dim(1), m = k.dim(0), dv = v.dim(1);
        if (n == 0) return;
        Scratch w = SCRATCH.get();
        int mp = VectorKernels.roundUp(Math.max(m, 1), L);
        if (w.kt.length < dk * mp) w.kt = new float[dk * mp];
        if (w.o.length < BR * dv) w.o = new float[BR * dv];
        transpose(k, w.kt, mp);
        for (int i0 = 0; i0 < n; i0 += BR) {
            int rows = Math.min(BR, n - i0);
            block(q, v, out, causal, validKeys, scale, w, i0, rows, m, mp, drop, lse, lseOffset);
        }
    }

    /** kt[p · mp + j] = k[j][p], zero beyond m ({@link VectorKernels#transpose}: a gather of L keys' input p at a time). */
    private static void transpose(FloatTensor k, float[] kt, int mp) {
        int m = k.dim(0), dk = k.dim(1);
        for (int p = 0; p < dk; p++) java.util.Arrays.fill(kt, p * mp + m, p * mp + mp, 0f);
        VectorKernels.transpose(k.data(), k.offset(), k.stride(0), m, dk, kt, 0, mp);
    }

    /** Query rows [i0, i0 + rows) against every key tile. */
    private static void block(FloatTensor q, FloatTensor v, FloatTensor out, boolean causal, boolean[] valid, float scale,
                              Scratch w, int i0, int rows, int m, int mp, DropoutMask drop, float[] lse, int lseOffset) {
        int dv = v.dim(1);
        float[] s = w.s, o = w.o, rowMax = w.max, rowSum = w.sum;
        java.util.Arrays.fill(o, 0, rows * dv, 0f);
        java.util.Arrays.fill(rowMax, Float.NEGATIVE_INFINITY);
        java.util.Arrays.fill(rowSum, 0f);
        int end = causal ? Math.min(m, i0 + rows) : m;        // keys past the last row's diagonal: all masked
        for (int j0 = 0; j0 < end; j0 += BC) {
            int jw = Math.min(BC, end - j0), jwp = VectorKernels.roundUp(jw, L);
            scores(q, w.kt, mp, s, 0, i0, rows, j0, jwp, scale);
            mask(s, i0, rows, j0, jw, jwp, causal, valid);
            for (int r = 0; r < rows; r++) softmaxUpdate(s, r, jwp, rowMax, rowSum, o, dv, w.lanes);
            if (!drop.isNone()) dropTile(s, drop, i0, rows, j0, jw, m, w.z);
            accumulate(s, v, o, rows, j0, jw, dv);
        }
        if (lse != null) {
            for (int r = 0; r < rows; r++) lse[lseOffset + i0 + r] = rowSum[r] > 0f ? rowMax[r] + (float) Math.log(rowSum[r]) : Float.NEGATIVE_INFINITY;
        }
        float[] od = out.data();
        for (int r = 0; r < rows; r++) {
            int dst = out.rowOffset(i0 + r), src = r * dv, c = 0;
            float inv = rowSum[r] > 0f ? 1f / rowSum[r] : 0f;
            for (; c + L <= dv; c += L) FloatVector.fromArray(S, o, src + c).mul(inv).intoArray(od, dst + c);
            for (; c < dv; c++) od[dst + c] = o[src + c] * inv;
        }
    }

    /**
     * s[so + r·BC + j] = scale · Σ_p q[i0 + r][p] · kt[p][j0 + j], for j < jwp (a multiple of L): {@link #WIDE_ROWS}
     * rows at a time where the registers allow, then four, then one; each element's sum runs over p in order whatever
     * the grouping, so the grouping does not change the bits.
     */
    private static void scores(FloatTensor q, float[] kt, int mp, float[] s, int so, int i0, int rows, int j0, int jwp, float scale) {
        float[] qd = q.data();
        int dk = q.dim(1), ldq = q.stride(0), q0 = q.rowOffset(i0);
        int j2 = jwp / (2 * L) * (2 * L), r = 0;
        if (WIDE_ROWS == 8) {
            for (; r + 8 <= rows; r += 8) scores8(qd, q0 + r * ldq, ldq, dk, kt, mp, s, so + r * BC, j0, j2, scale);
        }
        for (; r + 4 <= rows; r += 4) scores4(qd, q0 + r * ldq, ldq, dk, kt, mp, s, so + r * BC, j0, j2, scale);
        for (int rr = 0; rr < rows; rr++) {                          // the rows left, and every row's last odd vector
            int qr = q0 + rr * ldq;
            for (int jj = rr < r ? j2 : 0; jj < jwp; jj += L) {
                FloatVector a = FloatVector.zero(S);
                for (int p = 0, kp = j0 + jj; p < dk; p++, kp += mp) a = FloatVector.broadcast(S, qd[qr + p]).fma(FloatVector.fromArray(S, kt, kp), a);
                a.mul(scale).intoArray(s, so + rr * BC + jj);
            }
        }
    }

    /** {@link #scores} of four rows from qd[q0] (row stride ldq), keys [0, j2) two vectors at a time. */
    private static void scores4(float[] qd, int q0, int ldq, int dk, float[] kt, int mp, float[] s, int so, int j0, int j2, float scale) {
        for (int j = 0; j < j2; j += 2 * L) {
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), b0 = FloatVector.zero(S), b1 = FloatVector.zero(S);
            FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), d0 = FloatVector.zero(S), d1 = FloatVector.zero(S);
            for (int p = 0, kp = j0 + j; p < dk; p++, kp += mp) {
                FloatVector k0 = FloatVector.fromArray(S, kt, kp), k1 = FloatVector.fromArray(S, kt, kp + L);
                FloatVector x = FloatVector.broadcast(S, qd[q0 + p]);
                a0 = x.fma(k0, a0);
                a1 = x.fma(k1, a1);
                x = FloatVector.broadcast(S, qd[q0 + ldq + p]);
                b0 = x.fma(k0, b0);
                b1 = x.fma(k1, b1);
                x = FloatVector.broadcast(S, qd[q0 + 2 * ldq + p]);
                c0 = x.fma(k0, c0);
                c1 = x.fma(k1, c1);
                x = FloatVector.broadcast(S, qd[q0 + 3 * ldq + p]);
                d0 = x.fma(k0, d0);
                d1 = x.fma(k1, d1);
            }
            a0.mul(scale).intoArray(s, so + j);
            a1.mul(scale).intoArray(s, so + j + L);
            b0.mul(scale).intoArray(s, so + BC + j);
            b1.mul(scale).intoArray(s, so + BC + j + L);
            c0.mul(scale).intoArray(s, so + 2 * BC + j);
            c1.mul(scale).intoArray(s, so + 2 * BC + j + L);
            d0.mul(scale).intoArray(s, so + 3 * BC + j);
            d1.mul(scale).intoArray(s, so + 3 * BC + j + L);
        }
    }

    /** {@link #scores4} for eight rows: sixteen running sums, each pair of key loads used eight times. */
    private static void scores8(float[] qd, int q0, int ldq, int dk, float[] kt, int mp, float[] s, int so, int j0, int j2, float scale) {
        int q1 = q0 + ldq, q2 = q1 + ldq, q3 = q2 + ldq, q4 = q3 + ldq, q5 = q4 + ldq, q6 = q5 + ldq, q7 = q6 + ldq;
        for (int j = 0; j < j2; j += 2 * L) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
            FloatVector e0 = a0, e1 = a0, f0 = a0, f1 = a0, g0 = a0, g1 = a0, h0 = a0, h1 = a0;
            for (int p = 0, kp = j0 + j; p < dk; p++, kp += mp) {
                FloatVector k0 = FloatVector.fromArray(S, kt, kp), k1 = FloatVector.fromArray(S, kt, kp + L);
                FloatVector x = FloatVector.broadcast(S, qd[q0 + p]);
                a0 = x.fma(k0, a0);
                a1 = x.fma(k1, a1);
                x = FloatVector.broadcast(S, qd[q1 + p]);
                b0 = x.fma(k0, b0);
                b1 = x.fma(k1, b1);
                x = FloatVector.broadcast(S, qd[q2 + p]);
                c0 = x.fma(k0, c0);
                c1 = x.fma(k1, c1);
                x = FloatVector.broadcast(S, qd[q3 + p]);
                d0 = x.fma(k0, d0);
                d1 = x.fma(k1, d1);
                x = FloatVector.broadcast(S, qd[q4 + p]);
                e0 = x.fma(k0, e0);
                e1 = x.fma(k1, e1);
                x = FloatVector.broadcast(S, qd[q5 + p]);
                f0 = x.fma(k0, f0);
                f1 = x.fma(k1, f1);
                x = FloatVector.broadcast(S, qd[q6 + p]);
                g0 = x.fma(k0, g0);
                g1 = x.fma(k1, g1);
                x = FloatVector.broadcast(S, qd[q7 + p]);
                h0 = x.fma(k0, h0);
                h1 = x.fma(k1, h1);
            }
            int o = so + j;
            a0.mul(scale).intoArray(s, o);
            a1.mul(scale).intoArray(s, o + L);
            b0.mul(scale).intoArray(s, o += BC);
            b1.mul(scale).intoArray(s, o + L);
            c0.mul(scale).intoArray(s, o += BC);
            c1.mul(scale).intoArray(s, o + L);
            d0.mul(scale).intoArray(s, o += BC);
            d1.mul(scale).intoArray(s, o + L);
            e0.mul(scale).intoArray(s, o += BC);
            e1.mul(scale).intoArray(s, o + L);
            f0.mul(scale).intoArray(s, o += BC);
            f1.mul(scale).intoArray(s, o + L);
            g0.mul(scale).intoArray(s, o += BC);
            g1.mul(scale).intoArray(s, o + L);
            h0.mul(scale).intoArray(s, o += BC);
            h1.mul(scale).intoArray(s, o + L);
        }
    }

    /** −∞ where the mask forbids, and on the padding lanes [jw, jwp). */
    private static void mask(float[] s, int i0, int rows, int j0, int jw, int jwp, boolean causal, boolean[] valid) {
        for (int r = 0; r < rows; r++) {
            int base = r * BC;
            int stop = causal ? Math.max(0, Math.min(jw, i0 + r + 1 - j0)) : jw;   // keys j0 + [stop, jw) lie above the diagonal
            java.util.Arrays.fill(s, base + stop, base + jwp, Float.NEGATIVE_INFINITY);
            if (valid != null) {
                for (int j = 0; j < stop; j++) if (!valid[j0 + j]) s[base + j] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** Row r of the tile: scores → e^(s − running max); running max and sum updated, o's row rescaled if the max grew. */
    private static void softmaxUpdate(float[] s, int r, int jwp, float[] rowMax, float[] rowSum, float[] o, int dv, float[] lanes) {
        int base = r * BC;
        FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < jwp; j += L) vmax = vmax.max(FloatVector.fromArray(S, s, base + j));
        float tileMax = vmax.reduceLanes(VectorOperators.MAX);   // max is exact in any order
        float old = rowMax[r], max = Math.max(old, tileMax);
        if (max == Float.NEGATIVE_INFINITY) {                    // every key so far masked: nothing to add
            java.util.Arrays.fill(s, base, base + jwp, 0f);
            return;
        }
        FloatVector vsum = FloatVector.zero(S);
        for (int j = 0; j < jwp; j += L) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(S, s, base + j).sub(max));
            e.intoArray(s, base + j);
            vsum = vsum.add(e);
        }
        vsum.intoArray(lanes, 0);
        float tileSum = VectorMath.sumLanes(lanes);
        if (old == max) {
            rowSum[r] += tileSum;
        } else {
            float corr = old == Float.NEGATIVE_INFINITY ? 0f : VectorMath.exp(old - max);
            rowSum[r] = Math.fma(rowSum[r], corr, tileSum);
            if (old != Float.NEGATIVE_INFINITY) {
                int c = 0, ob = r * dv;
                for (; c + L <= dv; c += L) FloatVector.fromArray(S, o, ob + c).mul(corr).intoArray(o, ob + c);
                for (; c < dv; c++) o[ob + c] *= corr;
            }
            rowMax[r] = max;
        }
    }

    /** o[r] += Σ_{j < jw} p[r][j] · v[j0 + j], for the tile's rows: grouped as {@link #scores}, each sum in j order. */
    private static void accumulate(float[] s, FloatTensor v, float[] o, int rows, int j0, int jw, int dv) {
        float[] vd = v.data();
        int ldv = v.stride(0), v0 = v.rowOffset(j0);
        int c2 = dv / (2 * L) * (2 * L), r = 0;
        if (WIDE_ROWS == 8) {
            for (; r + 8 <= rows; r += 8) pv8(s, r * BC, vd, v0, ldv, o, r * dv, dv, jw, c2);
        }
        for (; r + 4 <= rows; r += 4) pv4(s, r * BC, vd, v0, ldv, o, r * dv, dv, jw, c2);
        for (int rr = 0; rr < rows; rr++) {                          // the rows left, and every row's last columns
            int ob = rr * dv, sb = rr * BC, cc = rr < r ? c2 : 0;
            for (; cc + L <= dv; cc += L) {
                FloatVector a = FloatVector.fromArray(S, o, ob + cc);
                for (int j = 0, vr = v0 + cc; j < jw; j++, vr += ldv) a = FloatVector.broadcast(S, s[sb + j]).fma(FloatVector.fromArray(S, vd, vr), a);
                a.intoArray(o, ob + cc);
            }
            for (; cc < dv; cc++) {
                float a = o[ob + cc];
                for (int j = 0, vr = v0 + cc; j < jw; j++, vr += ldv) a = Math.fma(s[sb + j], vd[vr], a);
                o[ob + cc] = a;
            }
        }
    }

    /** {@link #accumulate} of four rows (probabilities from s[sb], outputs from o[ob]), columns [0, c2) two vectors at a time. */
    private static void pv4(float[] s, int sb, float[] vd, int v0, int ldv, float[] o, int ob, int dv, int jw, int c2) {
        for (int c = 0; c < c2; c += 2 * L) {
            int o0 = ob + c, o1 = o0 + dv, o2 = o1 + dv, o3 = o2 + dv;
            FloatVector a0 = FloatVector.fromArray(S, o, o0), a1 = FloatVector.fromArray(S, o, o0 + L);
            FloatVector b0 = FloatVector.fromArray(S, o, o1), b1 = FloatVector.fromArray(S, o, o1 + L);
            FloatVector c0 = FloatVector.fromArray(S, o, o2), c1 = FloatVector.fromArray(S, o, o2 + L);
            FloatVector d0 = FloatVector.fromArray(S, o, o3), d1 = FloatVector.fromArray(S, o, o3 + L);
            for (int j = 0, vr = v0 + c, sj = sb; j < jw; j++, vr += ldv, sj++) {
                FloatVector x0 = FloatVector.fromArray(S, vd, vr), x1 = FloatVector.fromArray(S, vd, vr + L);
                FloatVector p = FloatVector.broadcast(S, s[sj]);
                a0 = p.fma(x0, a0);
                a1 = p.fma(x1, a1);
                p = FloatVector.broadcast(S, s[sj + BC]);
                b0 = p.fma(x0, b0);
                b1 = p.fma(x1, b1);
                p = FloatVector.broadcast(S, s[sj + 2 * BC]);
                c0 = p.fma(x0, c0);
                c1 = p.fma(x1, c1);
                p = FloatVector.broadcast(S, s[sj + 3 * BC]);
                d0 = p.fma(x0, d0);
                d1 = p.fma(x1, d1);
            }
            a0.intoArray(o, o0);
            a1.intoArray(o, o0 + L);
            b0.intoArray(o, o1);
            b1.intoArray(o, o1 + L);
            c0.intoArray(o, o2);
            c1.intoArray(o, o2 + L);
            d0.intoArray(o, o3);
            d1.intoArray(o, o3 + L);
        }
    }

    /** {@link #pv4} for eight rows: sixteen running sums, each pair of value loads used eight times. */
    private static void pv8(float[] s, int sb, float[] vd, int v0, int ldv, float[] o, int ob, int dv, int jw, int c2) {
        for (int c = 0; c < c2; c += 2 * L) {
            int o0 = ob + c, o1 = o0 + dv, o2 = o1 + dv, o3 = o2 + dv, o4 = o3 + dv, o5 = o4 + dv, o6 = o5 + dv, o7 = o6 + dv;
            FloatVector a0 = FloatVector.fromArray(S, o, o0), a1 = FloatVector.fromArray(S, o, o0 + L);
            FloatVector b0 = FloatVector.fromArray(S, o, o1), b1 = FloatVector.fromArray(S, o, o1 + L);
            FloatVector c0 = FloatVector.fromArray(S, o, o2), c1 = FloatVector.fromArray(S, o, o2 + L);
            FloatVector d0 = FloatVector.fromArray(S, o, o3), d1 = FloatVector.fromArray(S, o, o3 + L);
            FloatVector e0 = FloatVector.fromArray(S, o, o4), e1 = FloatVector.fromArray(S, o, o4 + L);
            FloatVector f0 = FloatVector.fromArray(S, o, o5), f1 = FloatVector.fromArray(S, o, o5 + L);
            FloatVector g0 = FloatVector.fromArray(S, o, o6), g1 = FloatVector.fromArray(S, o, o6 + L);
            FloatVector h0 = FloatVector.fromArray(S, o, o7), h1 = FloatVector.fromArray(S, o, o7 + L);
            for (int j = 0, vr = v0 + c, sj = sb; j < jw; j++, vr += ldv, sj++) {
                FloatVector x0 = FloatVector.fromArray(S, vd, vr), x1 = FloatVector.fromArray(S, vd, vr + L);
                FloatVector p = FloatVector.broadcast(S, s[sj]);
                a0 = p.fma(x0, a0);
                a1 = p.fma(x1, a1);
                p = FloatVector.broadcast(S, s[sj + BC]);
                b0 = p.fma(x0, b0);
                b1 = p.fma(x1, b1);
                p = FloatVector.broadcast(S, s[sj + 2 * BC]);
                c0 = p.fma(x0, c0);
                c1 = p.fma(x1, c1);
                p = FloatVector.broadcast(S, s[sj + 3 * BC]);
                d0 = p.fma(x0, d0);
                d1 = p.fma(x1, d1);
                p = FloatVector.broadcast(S, s[sj + 4 * BC]);
                e0 = p.fma(x0, e0);
                e1 = p.fma(x1, e1);
                p = FloatVector.broadcast(S, s[sj + 5 * BC]);
                f0 = p.fma(x0, f0);
                f1 = p.fma(x1, f1);
                p = FloatVector.broadcast(S, s[sj + 6 * BC]);
                g0 = p.fma(x0, g0);
                g1 = p.fma(x1, g1);
                p = FloatVector.broadcast(S, s[sj + 7 * BC]);
                h0 = p.fma(x0, h0);
                h1 = p.fma(x1, h1);
            }
            a0.intoArray(o, o0);
            a1.intoArray(o, o0 + L);
            b0.intoArray(o, o1);
            b1.intoArray(o, o1 + L);
            c0.intoArray(o, o2);
            c1.intoArray(o, o2 + L);
            d0.intoArray(o, o3);
            d1.intoArray(o, o3 + L);
            e0.intoArray(o, o4);
            e1.intoArray(o, o4 + L);
            f0.intoArray(o, o5);
            f1.intoArray(o, o5 + L);
            g0.intoArray(o, o6);
            g1.intoArray(o, o6 + L);
            h0.intoArray(o, o7);
            h1.intoArray(o, o7 + L);
        }
    }

    /** s[r][j] ×= the dropout factor of element (i0 + r, j0 + j), for j < jw (the factors made a vector at a time). */
    private static void dropTile(float[] s, DropoutMask drop, int i0, int rows, int j0, int jw, int m, float[] z) {
        for (int r = 0; r < rows; r++) {
            int at = r * BC, j = 0;
            drop.factors((long) (i0 + r) * m + j0, z, 0, jw);
            for (; j + L <= jw; j += L) FloatVector.fromArray(S, s, at + j).mul(FloatVector.fromArray(S, z, j)).intoArray(s, at + j);
            for (; j < jw; j++) s[at + j] *= z[j];
        }
    }

    // ---- backward: FlashAttention's, recomputing each tile's probabilities from the saved log-sum-exps ----------

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
     * {@link Kernels#attentionBackward} in tiles of {@link #BRB} query rows × {@link #BC} keys: per tile the scores are
     * recomputed (the forward's {@link #scores} GEMM), P = exp(s − lse), dP = dO Vᵀ by the same GEMM against v
     * transposed, then dS = P ⊙ (Z ⊙ dP − D) and the three products accumulated: dQ per query tile, dK and dV over all
     * tiles in float accumulators. Memory: k and v transposed and two BRB × BC tiles per thread, whatever n is.
     */
    public static void backward(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, boolean[] valid, float scale,
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
            int end = causal ? Math.min(m, i0 + rows) : m;
            for (int j0 = 0; j0 < end; j0 += BC) {
                int jw = Math.min(BC, end - j0), jwp = VectorKernels.roundUp(jw, L);
                scores(q, w.kt, mp, p, 0, i0, rows, j0, jwp, scale);          // the forward's score tiles
                scores(dOut, w.vt, mp, dp, 0, i0, rows, j0, jwp, 1f);
                mask(p, i0, rows, j0, jw, jwp, causal, valid);
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
     * shared. {@link #WIDE_ROWS} outputs at a time (then four), two vectors wide, each pair of x loads used for all of
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
