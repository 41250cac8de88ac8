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
 * softmax is exact in one pass with no rescaling. Keys above the diagonal of a causal mask are never computed, nor, under
 * a sliding window, the key tiles outside a query tile's window.
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
        attend(q, k, v, causal, -1, validKeys, scale, DropoutMask.NONE, out, null, 0);
    }

    /**
     * As above under a sliding window as well: query i sees keys j with |i − j| ≤ {@code halfWindow} only (ModernBERT's
     * local layers; negative: no window). Each query tile runs over the keys its rows can see, not over all of them.
     */
    public static void attend(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, int halfWindow, boolean[] validKeys,
                              float scale, FloatTensor out) {
        attend(q, k, v, causal, halfWindow, validKeys, scale, DropoutMask.NONE, out, null, 0);
    }

    /**
     * The training forward ({@link Kernels#attentionTraining}): as above, the probabilities multiplied by the dropout mask
     * {@code drop} before they meet v (the row sums stay those of the undropped probabilities), and each row's
     * log-sum-exp written to {@code lse} (from {@code lseOffset}) when it is not null.
     */
    public static void attend(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, boolean[] validKeys, float scale,
                              DropoutMask drop, FloatTensor out, float[] lse, int lseOffset) {
        attend(q, k, v, causal, -1, validKeys, scale, drop, out, lse, lseOffset);
    }

    /** The training forward under a sliding window of {@code halfWindow} keys each side (negative: none). */
    public static void attend(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, int halfWindow, boolean[] validKeys, float scale,
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
            block(q, v, out, causal, halfWindow, validKeys, scale, w, i0, rows, m, mp, drop, lse, lseOffset);
        }
    }

    /** kt[p · mp + j] = k[j][p], zero beyond m ({@link VectorKernels#transpose}: a gather of L keys' input p at a time). */
    static void transpose(FloatTensor k, float[] kt, int mp) {
        int m = k.dim(0), dk = k.dim(1);
        for (int p = 0; p < dk; p++) java.util.Arrays.fill(kt, p * mp + m, p * mp + mp, 0f);
        VectorKernels.transpose(k.data(), k.offset(), k.stride(0), m, dk, kt, 0, mp);
    }

    /** Query rows [i0, i0 + rows) against every key tile. */
    private static void block(FloatTensor q, FloatTensor v, FloatTensor out, boolean causal, int halfWindow, boolean[] valid, float scale,
                              Scratch w, int i0, int rows, int m, int mp, DropoutMask drop, float[] lse, int lseOffset) {
        int dv = v.dim(1);
        float[] s = w.s, o = w.o, rowMax = w.max, rowSum = w.sum;
        java.util.Arrays.fill(o, 0, rows * dv, 0f);
        java.util.Arrays.fill(rowMax, Float.NEGATIVE_INFINITY);
        java.util.Arrays.fill(rowSum, 0f);
        for (int j0 = firstKey(i0, halfWindow), end = endKey(i0, rows, m, causal, halfWindow); j0 < end; j0 += BC) {
            int jw = Math.min(BC, end - j0), jwp = VectorKernels.roundUp(jw, L);
            scores(q, w.kt, mp, s, 0, i0, rows, j0, jwp, scale);
            mask(s, i0, rows, j0, jw, jwp, causal, halfWindow, valid);
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
    static void scores(FloatTensor q, float[] kt, int mp, float[] s, int so, int i0, int rows, int j0, int jwp, float scale) {
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

    /**
     * The first key the tiles of query rows from i0 on run from: 0, or under a sliding window the first key row i0 sees,
     * rounded down to a multiple of L so that a tile's vectors end within the transposed keys' padded rows (the keys
     * before the window that this takes in are masked).
     */
    static int firstKey(int i0, int halfWindow) {
        return halfWindow < 0 ? 0 : Math.max(0, i0 - halfWindow) / L * L;
    }

    /** The key after the last one any of query rows [i0, i0 + rows) sees: past the last row's diagonal or window, all masked. */
    static int endKey(int i0, int rows, int m, boolean causal, int halfWindow) {
        int end = causal ? Math.min(m, i0 + rows) : m;
        return halfWindow < 0 ? end : (int) Math.min(end, (long) i0 + rows + halfWindow);
    }

    /** −∞ where the mask forbids (above the diagonal, outside the window, padding), and on the padding lanes [jw, jwp). */
    static void mask(float[] s, int i0, int rows, int j0, int jw, int jwp, boolean causal, int halfWindow, boolean[] valid) {
        for (int r = 0; r < rows; r++) {
            int base = r * BC, i = i0 + r;
            long stop = jw;                                                    // keys j0 + [start, stop) may be seen
            if (causal) stop = Math.min(stop, (long) i + 1 - j0);
            if (halfWindow >= 0) stop = Math.min(stop, (long) i + halfWindow + 1 - j0);
            int end = (int) Math.max(0, stop), start = halfWindow < 0 ? 0 : (int) Math.min(end, Math.max(0, (long) i - halfWindow - j0));
            java.util.Arrays.fill(s, base, base + start, Float.NEGATIVE_INFINITY);
            java.util.Arrays.fill(s, base + end, base + jwp, Float.NEGATIVE_INFINITY);
            if (valid != null) {
                for (int j = start; j < end; j++) if (!valid[j0 + j]) s[base + j] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** Row r of the tile: scores → e^(s − running max); running max and sum updated, o's row rescaled if the max grew. */
    private static void softmaxUpdate(float[] s, int r, int jwp, float[] rowMax, float[] rowSum, float[] o, int dv, float[] lanes) {
        int base = r * BC;
        FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < jwp; j += L) vmax = vmax.max(FloatVector.fromArray(S, s, base + j));
        float tileMax = vmax.reduceLanes(VectorOperators.MAX);   // max is exact in any order
        float max = Math.max(rowMax[r], tileMax);
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
        float corr = mergeTile(rowMax, rowSum, r, max, VectorMath.sumLanes(lanes));
        if (corr != 1f) {
            int c = 0, ob = r * dv;
            for (; c + L <= dv; c += L) FloatVector.fromArray(S, o, ob + c).mul(corr).intoArray(o, ob + c);
            for (; c < dv; c++) o[ob + c] *= corr;
        }
    }

    /**
     * The online softmax's step for row r, once a tile's exponentials (against the new running maximum {@code max})
     * sum to {@code tileSum}: the running sum rescaled to {@code max} and the tile's added, the maximum kept. Returns the
     * factor the row's unnormalised output is to be multiplied by, 1 when it needs none (the maximum did not grow, or
     * nothing was accumulated before). {@link ColdKernels}' twin of {@link #attend} shares it.
     */
    static float mergeTile(float[] rowMax, float[] rowSum, int r, float max, float tileSum) {
        float old = rowMax[r];
        if (old == max) {
            rowSum[r] += tileSum;
            return 1f;
        }
        float corr = old == Float.NEGATIVE_INFINITY ? 0f : VectorMath.exp(old - max);
        rowSum[r] = Math.fma(rowSum[r], corr, tileSum);
        rowMax[r] = max;
        return old == Float.NEGATIVE_INFINITY ? 1f : corr;
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
}
