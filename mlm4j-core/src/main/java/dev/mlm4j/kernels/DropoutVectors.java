package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DropoutMask}'s hash a vector of elements at a time: lowbias32 of {@code counter · m + b} in 32-bit lanes (the
 * multiplies wrap, as Java's int arithmetic), the top 24 bits compared with the threshold, so every factor is the bit
 * of {@link DropoutMask#factor}. Loaded only when the Vector API is (DropoutMask falls back to its scalar loop).
 */
final class DropoutVectors {
    private DropoutVectors() {}

    private static final VectorSpecies<Float> FS = VectorKernels.S;
    /** As many int lanes as float lanes. */
    static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, FS.vectorShape());
    private static final int L = IS.length();
    private static final IntVector IOTA = IntVector.zero(IS).addIndex(1);

    /**
     * dst[off + j] = the factor of the element whose index's low word is {@code start + j}, j &lt; len (0 or scale), for
     * a run within one high word: {@code base} is the mask's offset for that word.
     */
    static void factors(int mul, int base, int threshold, float scale, int start, float[] dst, int off, int len) {
        FloatVector kept = FloatVector.broadcast(FS, scale), dropped = FloatVector.zero(FS);
        int j = 0;
        for (; j + L <= len; j += L) {
            IntVector x = IOTA.add(start + j).mul(mul).add(base);
            x = x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 16)).mul(0x7feb352d);
            x = x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 15)).mul(0x846ca68b);
            x = x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 16)).lanewise(VectorOperators.LSHR, 8);
            VectorMask<Float> keep = x.compare(VectorOperators.GE, threshold).cast(FS);
            dropped.blend(kept, keep).intoArray(dst, off + j);
        }
        for (; j < len; j++) dst[off + j] = DropoutMask.lowbias32((start + j) * mul + base) >>> 8 >= threshold ? scale : 0f;
    }

    /** {@link DropoutMask#apply}: each row's factors into the thread's buffer, then x = factor ≠ 0 ? x · factor : 0. */
    static void apply(DropoutMask mask, FloatTensor x) {
        int m = x.dim(0), n = x.dim(1);
        float[] d = x.data();
        // the species read from the static final inside the lambda: a species captured from a local is a field of the
        // lambda to C2, not a constant, and the Vector API's intrinsics need a constant one (this loop ran on the Java
        // fallback: ~0.6 % of a training step)
        Parallel.forRange(m, Math.max(1, (1 << 14) / Math.max(1, n)), (r0, r1) -> {
            float[] f = BUFFER.get(n);
            FloatVector zero = FloatVector.zero(VectorKernels.S);
            for (int r = r0; r < r1; r++) {
                int o = x.rowOffset(r), c = 0;
                mask.factors(mask.rowStart(r, n), f, 0, n);
                for (; c + VectorKernels.L <= n; c += VectorKernels.L) {
                    FloatVector fv = FloatVector.fromArray(VectorKernels.S, f, c);
                    FloatVector.fromArray(VectorKernels.S, d, o + c).mul(fv).blend(zero, fv.compare(VectorOperators.EQ, 0f)).intoArray(d, o + c);
                }
                for (; c < n; c++) d[o + c] = f[c] == 0f ? 0f : d[o + c] * f[c];
            }
        });
    }

    /** One row's factors, per thread. */
    private static final ThreadBuffer BUFFER = new ThreadBuffer();
}
