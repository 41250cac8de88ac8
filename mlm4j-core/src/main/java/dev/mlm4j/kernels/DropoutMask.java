package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;

/**
 * One dropout site's mask, drawn from a counter-based generator: element {@code i} is kept (and scaled by 1/(1 − p))
 * unless {@code uniform(key, i) < p}, where {@code uniform} is a SplitMix64 hash of the site's key and the element's
 * logical index. Nothing is stored: the backward regenerates the same mask from the same key, as FlashAttention's
 * backward regenerates its Philox dropout mask instead of saving it. Deterministic by key, independent of threads.
 * {@link #NONE} (p = 0) keeps everything.
 */
public final class DropoutMask {
    /** Keeps every element: no dropout. */
    public static final DropoutMask NONE = new DropoutMask(0, 0);

    private final double p;
    private final float scale;
    private final long key;
    private final int threshold; // keep iff the hash's top 24 bits ≥ threshold = round(p · 2²⁴)
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
        this.rows = rows;
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
        return threshold == 0 || (int) (mix(key + index * 0x9E3779B97F4A7C15L) >>> 40) >= threshold;
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
            DropoutVectors.factors(key, threshold, scale, start, dst, off, len);
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
            return VectorKernels.isAvailable() && DropoutVectors.LS.length() >= 2;
        } catch (Throwable t) {
            return false;
        }
    }

    /** SplitMix64's finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
