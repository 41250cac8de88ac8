package dev.mlm4j.kernels;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** {@link VectorMath}: exp within 2 ulp of Math.exp, vector and scalar forms bit-identical, the fixed-order sum. */
class VectorMathTest {
    static final int L = VectorMath.L;

    static float vectorExp(float x) {
        float[] a = new float[L];
        java.util.Arrays.fill(a, x);
        return VectorMath.exp(FloatVector.fromArray(VectorMath.S, a, 0)).lane(L - 1);
    }

    /** Distance in units in the last place of the correctly rounded float of e^x. */
    static double ulps(float got, double x) {
        double exact = Math.exp(x);
        float rounded = (float) exact;
        return Math.abs(got - exact) / Math.ulp(rounded);
    }

    @Test
    void expIsWithinTwoUlpOverTheWholeRange() {
        double worst = 0;
        float worstAt = 0;
        // every 97th float from EXP_LO to EXP_HI (~ 20 million floats), plus random ones
        int lo = Float.floatToRawIntBits(VectorMath.EXP_LO), hi = Float.floatToRawIntBits(VectorMath.EXP_HI);
        for (int b = lo; b >= 0x80000000 + 0 && b < 0; b -= 97) {            // negative floats: bits decrease toward -0
            float x = Float.intBitsToFloat(b);
            double u = ulps(VectorMath.exp(x), x);
            if (u > worst) { worst = u; worstAt = x; }
        }
        for (int b = 0; b <= hi; b += 97) {
            float x = Float.intBitsToFloat(b);
            double u = ulps(VectorMath.exp(x), x);
            if (u > worst) { worst = u; worstAt = x; }
        }
        Random r = new Random(1);
        for (int i = 0; i < 2_000_000; i++) {
            float x = VectorMath.EXP_LO + r.nextFloat() * (VectorMath.EXP_HI - VectorMath.EXP_LO);
            double u = ulps(VectorMath.exp(x), x);
            if (u > worst) { worst = u; worstAt = x; }
        }
        System.out.printf("VectorMath.exp: worst %.3f ulp at x = %s%n", worst, worstAt);
        assertTrue(worst <= 2, "exp is " + worst + " ulp off at x = " + worstAt);
    }

    @Test
    void expEdges() {
        assertEquals(1f, VectorMath.exp(0f));
        assertEquals(1f, VectorMath.exp(-0f));
        assertEquals(0f, VectorMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(0f, VectorMath.exp(-87.4f));
        assertEquals(0f, VectorMath.exp(-1000f));
        assertEquals(Float.POSITIVE_INFINITY, VectorMath.exp(89f));
        assertEquals(Float.POSITIVE_INFINITY, VectorMath.exp(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(VectorMath.exp(Float.NaN)));
        assertTrue(VectorMath.exp(VectorMath.EXP_LO) > 0f);
        assertTrue(Float.isFinite(VectorMath.exp(VectorMath.EXP_HI)));
        for (float x : new float[] {0f, -0f, Float.NEGATIVE_INFINITY, -87.4f, -1000f, 89f, Float.POSITIVE_INFINITY, Float.NaN,
                VectorMath.EXP_LO, VectorMath.EXP_HI}) {
            assertEquals(Float.floatToIntBits(VectorMath.exp(x)), Float.floatToIntBits(vectorExp(x)), "vector vs scalar at " + x);
        }
    }

    @Test
    void vectorAndScalarExpAreBitIdentical() {
        Random r = new Random(2);
        float[] a = new float[L * 4096], out = new float[a.length];
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() * 200 - 110);
        for (int i = 0; i < a.length; i += L) VectorMath.exp(FloatVector.fromArray(VectorMath.S, a, i)).intoArray(out, i);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Float.floatToIntBits(VectorMath.exp(a[i])), Float.floatToIntBits(out[i]), "at x = " + a[i]);
        }
    }

    @Test
    void sumIsAFixedTree() {
        Random r = new Random(3);
        for (int t = 0; t < 1000; t++) {
            float[] lanes = new float[L];
            for (int i = 0; i < L; i++) lanes[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(8) - 4));
            float v = VectorMath.sum(FloatVector.fromArray(VectorMath.S, lanes, 0));
            assertEquals(Float.floatToIntBits(VectorMath.sum(lanes)), Float.floatToIntBits(v));
            double exact = 0, size = 0;
            for (float x : lanes) {
                exact += x;
                size += Math.abs(x);
            }
            assertEquals(exact, v, 1e-6 * size);
        }
    }
}
