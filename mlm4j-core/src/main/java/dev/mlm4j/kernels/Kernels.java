package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;

/**
 * The numeric operations the encoder is made of. Every operation has a plain scalar reference in
 * {@link ScalarKernels}; {@link VectorKernels} overrides the hot ones with the Java Vector API and is
 * tested against the reference. All matrices are rank-2 views with unit stride along the last dimension.
 *
 * <p>Which implementation runs is chosen once per process by the system property
 * {@code mlm4j.kernels} ({@code vector}, the default, or {@code scalar}).
 */
public interface Kernels {

    /** c (m, n) = a (m, k) · b (k, n). */
    void matmul(FloatTensor a, FloatTensor b, FloatTensor c);

    /** c (m, n) = a (m, k) · bᵀ, where b is (n, k): the QKᵀ of attention. */
    void matmulTransposed(FloatTensor a, FloatTensor b, FloatTensor c);

    /** x (m, n) += bias (n), on every row. */
    void addBias(FloatTensor x, FloatTensor bias);

    /** x (m, n) += y (m, n). */
    void add(FloatTensor x, FloatTensor y);

    /** x (m, n) *= s. */
    void scale(FloatTensor x, float s);

    /**
     * Softmax over each row of x (m, n), in place, max-subtracted so scores of ±1e4 stay finite.
     * Entries equal to {@code -Infinity} (masked) get probability exactly 0; a row that is all
     * {@code -Infinity} becomes all zeros rather than NaN.
     */
    void softmaxRows(FloatTensor x);

    /** x (m, n) ← (x − mean) / √(var + eps) · gamma + beta, per row; gamma and beta are (n). */
    void layerNorm(FloatTensor x, FloatTensor gamma, FloatTensor beta, float eps);

    /** x ← GELU(x) = x · ½ · (1 + erf(x / √2)), the exact (erf) form BERT uses, in place. */
    void gelu(FloatTensor x);

    /** out (ids.length, d) = table (vocab, d) rows at ids. */
    default void embeddingLookup(FloatTensor table, int[] ids, FloatTensor out) {
        int d = table.dim(1);
        out.requireShape("embedding output", ids.length, d);
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id < 0 || id >= table.dim(0)) {
                throw new IndexOutOfBoundsException("token id " + id + " outside vocabulary of " + table.dim(0));
            }
            System.arraycopy(table.data(), table.rowOffset(id), out.data(), out.rowOffset(i), d);
        }
    }

    /** The process-wide implementation chosen by {@code -Dmlm4j.kernels=vector|scalar}. */
    static Kernels get() {
        return Holder.INSTANCE;
    }

    /** Name of the running implementation, for logs and benchmarks. */
    String name();

    final class Holder {
        private Holder() {}

        static final Kernels INSTANCE = choose(System.getProperty("mlm4j.kernels", "vector"));

        static Kernels choose(String name) {
            return switch (name) {
                case "scalar" -> new ScalarKernels();
                case "vector" -> VectorKernels.isAvailable() ? new VectorKernels() : new ScalarKernels();
                default -> throw new IllegalArgumentException("mlm4j.kernels must be 'vector' or 'scalar', got '" + name + "'");
            };
        }
    }
}
