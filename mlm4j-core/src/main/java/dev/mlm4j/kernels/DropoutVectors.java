package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DropoutMask}'s hash a vector of elements at a time: the same SplitMix64 of {@code key + index · φ} in 64-bit
 * lanes (wrapping multiplies, as Java's long arithmetic), its top 24 bits narrowed to int lanes and compared with the
 * threshold, so every factor is the bit of {@link DropoutMask#factor}. One element at a time the hash cost ~4 ns, about
 * half of a MiniLM attention head's backward; in 512-bit lanes 0.7 ns (AVX2, whose 64-bit multiply C2 builds from
 * 32-bit ones: ~2 ns). Loaded only when the Vector API is (DropoutMask falls back to its scalar loop).
 */
final class DropoutVectors {
    private DropoutVectors() {}

    static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
    /** Int and float lanes as many as the long lanes: half the width. */
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, VectorShape.forBitSize(LS.vectorBitSize() / 2));
    private static final VectorSpecies<Float> FS = VectorSpecies.of(float.class, VectorShape.forBitSize(LS.vectorBitSize() / 2));
    private static final int LL = LS.length();
    private static final LongVector IOTA = LongVector.zero(LS).addIndex(1);
    private static final long PHI = 0x9E3779B97F4A7C15L;

    /** dst[off + j] = the factor of element {@code start + j}, j &lt; len: 0 or scale. */
    static void factors(long key, int threshold, float scale, long start, float[] dst, int off, int len) {
        FloatVector kept = FloatVector.broadcast(FS, scale), dropped = FloatVector.zero(FS);
        int j = 0;
        for (; j + LL <= len; j += LL) {
            LongVector z = IOTA.add(start + j).mul(PHI).add(key);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xBF58476D1CE4E5B9L);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94D049BB133111EBL);
            z = z.lanewise(VectorOperators.LSHR, 40);   // SplitMix's last z ^= z >>> 31 leaves the top 24 bits as they are
            IntVector top = (IntVector) z.convertShape(VectorOperators.L2I, IS, 0);
            VectorMask<Float> keep = top.compare(VectorOperators.GE, threshold).cast(FS);
            dropped.blend(kept, keep).intoArray(dst, off + j);
        }
        for (; j < len; j++) dst[off + j] = (int) (DropoutMask.mix(key + (start + j) * PHI) >>> 40) >= threshold ? scale : 0f;
    }

    /** {@link DropoutMask#apply}: each row's factors into the thread's buffer, then x = factor ≠ 0 ? x · factor : 0. */
    static void apply(DropoutMask mask, FloatTensor x) {
        int m = x.dim(0), n = x.dim(1);
        float[] d = x.data();
        VectorSpecies<Float> s = VectorKernels.S;
        int l = s.length();
        Parallel.forRange(m, Math.max(1, (1 << 14) / Math.max(1, n)), (r0, r1) -> {
            float[] f = BUFFER.get(n);
            FloatVector zero = FloatVector.zero(s);
            for (int r = r0; r < r1; r++) {
                int o = x.rowOffset(r), c = 0;
                mask.factors(mask.rowStart(r, n), f, 0, n);
                for (; c + l <= n; c += l) {
                    FloatVector fv = FloatVector.fromArray(s, f, c);
                    FloatVector.fromArray(s, d, o + c).mul(fv).blend(zero, fv.compare(VectorOperators.EQ, 0f)).intoArray(d, o + c);
                }
                for (; c < n; c++) d[o + c] = f[c] == 0f ? 0f : d[o + c] * f[c];
            }
        });
    }

    /** One row's factors, per thread. */
    private static final ThreadBuffer BUFFER = new ThreadBuffer();
}
