package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;

/**
 * One dropout site's mask, drawn from a counter-based generator: element {@code i} is kept (and scaled by 1/(1 − p))
 * unless the top 24 bits of {@code hash(key, i)} fall below {@code p · 2²⁴}. Nothing is stored: the backward
 * regenerates the same mask from the same key, as FlashAttention's backward regenerates its Philox dropout mask instead
 * of saving it. Deterministic by key, independent of threads. {@link #NONE} (p = 0) keeps everything.
 *
 * <p>The hash works in 32-bit lanes, sixteen to an AVX-512 vector: {@code lowbias32(lo(i) · m + b)}, where lowbias32 is
 * a two-multiply integer finaliser (C. Wellons' hash-prospector: x ^= x >>> 16, x ·= 0x7feb352d, x ^= x >>> 15,
 * x ·= 0x846ca68b, x ^= x >>> 16), {@code m} an odd multiplier taken from the key's high word and {@code b} an offset
 * from its low word and i's high word. A per-site multiplier, not only an offset: with an offset alone two sites whose
 * offsets happened to lie a run's length apart would drop the same pattern shifted (a few pairs a step among the
 * thousands of head masks of a step); with different multipliers their counters drift apart after one element. It
 * replaced SplitMix64 in 64-bit lanes (three 64-bit multiplies per eight elements; dropout was 5 % of a MiniLM training
 * step's samples).
 */
public final class DropoutMask {
    /** Keeps every element: no dropout. */
    public static final DropoutMask NONE = new DropoutMask(0, 0);

    private final double p;
    private final float scale;
    private final long key;
    private final int threshold; // keep iff the hash's top 24 bits ≥ threshold = round(p · 2²⁴)
    private final int mul;       // the counter's odd multiplier: the key's high word, odd
    private final int base0;     // the counter's offset for indices below 2³²: base(0)
    private final int[] rows;    // apply's row r is row rows[r] of the site's full matrix; null: row r itself

    public DropoutMask(double p, long key) {
        this(p, key, null);
    }

    private DropoutMask(double p, long key, int[] rows) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        this.p = p;
        this.key = key;
        this.threshold = (int) Math.round(p * (1 << 24));
        this.scale = (float) (1.0 / (1.0 - p));
        this.mul = (int) (key >>> 32) | 1;
        this.base0 = base(0);
        this.rows = rows;
    }

    /** The counter's offset for indices whose high word is {@code hi}. */
    private int base(int hi) {
        return (int) key + lowbias32(hi ^ mul);
    }

    /**
     * This mask on a matrix made of some of the site's rows: {@link #apply} multiplies its row r by the factors of row
     * {@code rows[r]} of the full matrix, so a layer that computes only those rows drops exactly what the full one would.
     */
    public DropoutMask atRows(int[] rows) {
        return isNone() ? this : new DropoutMask(p, key, rows.clone());
    }

    /** The logical index of the first element of {@link #apply}'s row r in a matrix n wide. */
    long rowStart(int r, int n) {
        return (long) (rows == null ? r : rows[r]) * n;
    }

    public double probability() {
        return p;
    }

    /** True when the mask keeps everything (p = 0). */
    public boolean isNone() {
        return threshold == 0;
    }

    /** 1/(1 − p), the factor a kept element is multiplied by. */
    public float scale() {
        return scale;
    }

    /** The mask of a sub-site (e.g. one sequence's head of an attention layer): an independent stream (of full rows). */
    public DropoutMask child(long index) {
        return isNone() ? this : new DropoutMask(p, mix(key ^ mix(index + 0x632BE59BD9B4E019L)));
    }

    /** Whether element {@code index} is kept. */
    public boolean keep(long index) {
        if (threshold == 0) return true;
        int hi = (int) (index >>> 32);
        return lowbias32((int) index * mul + (hi == 0 ? base0 : base(hi))) >>> 8 >= threshold;
    }

    /** The factor element {@code index} is multiplied by: 0 or 1/(1 − p). */
    public float factor(long index) {
        return keep(index) ? scale : 0f;
    }

    /**
     * dst[off + j] = {@link #factor}(start + j) for j &lt; len: the factors of a run of consecutive elements, a vector of
     * them at a time when the Vector API is there (the same bits), else one by one.
     */
    public void factors(long start, float[] dst, int off, int len) {
        if (isNone()) {
            java.util.Arrays.fill(dst, off, off + len, 1f);
        } else if (VECTOR) {
            while (len > 0) {                                  // a run within one high word at a time (nearly always all of it)
                int hi = (int) (start >>> 32), n = (int) Math.min(len, (1L << 32) - (start & 0xFFFFFFFFL));
                DropoutVectors.factors(mul, hi == 0 ? base0 : base(hi), threshold, scale, (int) start, dst, off, n);
                start += n;
                off += n;
                len -= n;
            }
        } else {
            for (int j = 0; j < len; j++) dst[off + j] = factor(start + j);
        }
    }

    /**
     * x (m, n) ← x ⊙ mask, element (r, c) at logical index r · n + c (row {@code rows[r]} under {@link #atRows}; a
     * dropped element becomes 0, a kept one x · scale).
     * Its own backward: the gradient at the output, masked the same way, is the gradient at the input.
     */
    public void apply(FloatTensor x) {
        if (isNone()) return;
        if (VECTOR) {
            DropoutVectors.apply(this, x);
            return;
        }
        int m = x.dim(0), n = x.dim(1);
        float[] d = x.data();
        Parallel.forRange(m, Math.max(1, (1 << 14) / Math.max(1, n)), (r0, r1) -> {  // rows in parallel: the mask is by index
            for (int r = r0; r < r1; r++) {
                int o = x.rowOffset(r);
                long base = rowStart(r, n);
                for (int c = 0; c < n; c++) if (!keep(base + c)) d[o + c] = 0f; else d[o + c] *= scale;
            }
        });
    }

    /** The Vector API is there (DropoutVectors loads); without it the masks are made one element at a time. */
    private static final boolean VECTOR = vectorAvailable();

    private static boolean vectorAvailable() {
        try {
            return VectorKernels.isAvailable() && DropoutVectors.IS.length() >= 2;
        } catch (Throwable t) {
            return false;
        }
    }

    /** lowbias32: a 32-bit integer finaliser of two multiplies (bias ~0.17 in hash-prospector's measure). */
    static int lowbias32(int x) {
        x = (x ^ (x >>> 16)) * 0x7feb352d;
        x = (x ^ (x >>> 15)) * 0x846ca68b;
        return x ^ (x >>> 16);
    }

    /** SplitMix64's finaliser: a child site's key from its parent's. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
