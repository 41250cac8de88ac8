package dev.mlm4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Deterministic vector math: every function here gives bit-identical results whether the Vector API code
 * runs interpreted (its Java fallback, lane by lane) or compiled by C2, and each has a scalar twin doing the
 * same float operations in the same order, so a vector loop's scalar tail agrees with its body.
 *
 * <p>Why: {@code reduceLanes(ADD)} leaves the order of its additions unspecified (C2 adds in a tree, the
 * fallback in lane order), and {@code lanewise(EXP)} calls SVML once compiled but {@code Math.exp} when
 * interpreted: the same input then gave outputs up to ~3e-6 apart before and after warm-up. Here sums run
 * in a fixed tree of lanewise adds and exp uses only fma/mul/add/min/max and exponent bit tricks, all of
 * which are exactly rounded IEEE operations in both modes.
 */
public final class VectorMath {
    private VectorMath() {}

    static final VectorSpecies<Float> S = VectorKernels.S;
    static final int L = VectorKernels.L;

    /** Rotations by 8, 4, 2 and 1 lanes: the fixed tree of {@link #sum(FloatVector)} (those wider than the species unused). */
    private static final VectorShuffle<Float> R8 = VectorShuffle.iota(S, 8 % L, 1, true), R4 = VectorShuffle.iota(S, 4 % L, 1, true),
            R2 = VectorShuffle.iota(S, 2 % L, 1, true), R1 = VectorShuffle.iota(S, 1, 1, true);

    /**
     * Sum of the lanes in a fixed order: v + rotate(v, L/2), then + rotate(·, L/4), …, lane 0. For 16 lanes
     * lane 0 ends as ((v0+v8)+(v4+v12)) + ((v2+v10)+(v6+v14)) + … — the same tree every time. Written out
     * step by step (L is a constant, the untaken steps fold away): a loop over an array of shuffles made C2
     * leave the vectors boxed, on the slow Java path.
     */
    public static float sum(FloatVector v) {
        if (L >= 32) throw new UnsupportedOperationException("species wider than 16 floats");
        if (L == 16) v = v.add(v.rearrange(R8));
        if (L >= 8) v = v.add(v.rearrange(R4));
        if (L >= 4) v = v.add(v.rearrange(R2));
        v = v.add(v.rearrange(R1));
        return v.lane(0);
    }

    /** The scalar twin of {@link #sum(FloatVector)} on lanes held in an array (length L); {@code lanes} is left as it was. */
    static float sum(float[] lanes) {
        return sumLanes(lanes.clone());
    }

    /**
     * {@link #sum(FloatVector)} of the L lanes a vector stored into {@code lanes} ({@code v.intoArray(lanes, 0)}), in
     * the same tree, bit for bit; overwrites {@code lanes}. For hot loops: a vector passed to a method C2 does not
     * inline is boxed (an allocation per call, ~96 bytes), and {@link #sum(FloatVector)} was not always inlined into
     * the softmax rows (NodeCountInliningCutoff); an array crosses the call for free. Lane i of each step is
     * {@code v[i] + v[i + w]}; only lanes below w feed lane 0, so the steps run in place.
     */
    public static float sumLanes(float[] lanes) {
        for (int w = L / 2; w >= 1; w /= 2) {
            for (int i = 0; i < w; i++) lanes[i] += lanes[i + w];
        }
        return lanes[0];
    }

    // ---- exp -----------------------------------------------------------------------------------------
    // exp(x) = 2^n · exp(r), n = round(x / ln 2), r = x − n·ln 2 in [−ln2/2, ln2/2] (Cody–Waite: ln 2 in two
    // parts, each product with n taken by one fma), exp(r) ≈ 1 + r + r²·P(r) with Cephes' degree-5 minimax P
    // (expf.c, relative error ~1e-7 on the interval). 2^n is built in two halves so n down to −126 and up to
    // 128 stays a normal float. Below EXP_LO (where exp underflows FLT_MIN) the result is exactly 0, −∞
    // included; above EXP_HI it is +∞; NaN stays NaN.

    /** ln(FLT_MIN): below this exp is 0. */
    static final float EXP_LO = -87.33654f;
    /** ln(FLT_MAX): above this exp is +∞. */
    static final float EXP_HI = 88.72283f;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693145751953125f;      // 12 significant bits: n·LN2_HI is exact
    private static final float LN2_LO = 1.428606765330187e-06f;  // ln 2 − LN2_HI
    /** 1.5 · 2^23: adding it rounds a float in (−2^22, 2^22) to an integer, which lands in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f,
            P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    /** e^x per lane; bit-identical to {@link #exp(float)} on each lane. */
    public static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_LO).min(EXP_HI);
        FloatVector t = xc.fma(LOG2E, ROUND);                       // n + ROUND, n in the low bits
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector z = r.mul(r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, FloatVector.broadcast(S, P2));
        p = p.fma(r, FloatVector.broadcast(S, P3));
        p = p.fma(r, FloatVector.broadcast(S, P4));
        p = p.fma(r, FloatVector.broadcast(S, P5));
        FloatVector y = p.fma(z, r).add(1f);
        IntVector ni = t.reinterpretAsInts().sub(ROUND_BITS);                // n
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1), n2 = ni.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        y = y.mul(s1).mul(s2);
        y = y.blend(0f, x.compare(VectorOperators.LT, EXP_LO));
        return y.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_HI));
    }

    /** e^x: the same operations as {@link #exp(FloatVector)}, on one float. At most 2 ulp from {@link Math#exp}. */
    public static float exp(float x) {
        if (x < EXP_LO) return 0f;
        if (x > EXP_HI) return Float.POSITIVE_INFINITY;
        float xc = Math.min(Math.max(x, EXP_LO), EXP_HI);           // NaN passes through, as in the vector form
        float t = Math.fma(xc, LOG2E, ROUND);
        float n = t - ROUND;
        float r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        float z = r * r;
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float y = Math.fma(p, z, r) + 1f;
        int ni = Float.floatToRawIntBits(t) - ROUND_BITS;
        int n1 = ni >> 1, n2 = ni - n1;
        return y * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
    }
}
