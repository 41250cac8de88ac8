package dev.mlm4j.kernels;

/**
 * What {@link Gemm#linear} does to each output tile before storing it, fused into the GEMM so the
 * output is written once: {@code y = x · Wᵀ}, then
 */
public enum Epilogue {
    /** nothing: {@code y = x · Wᵀ}. No bias may be given. */
    NONE,
    /** {@code y = x · Wᵀ + b}: attention projections, the pooler's dense before tanh. */
    BIAS,
    /** {@code y = GELU(x · Wᵀ + b)}, exact erf form: BertIntermediate. */
    BIAS_GELU,
    /** {@code y = x · Wᵀ + b + residual}: BertSelfOutput / BertOutput before their LayerNorm. */
    BIAS_RESIDUAL;

    boolean gelu() {
        return this == BIAS_GELU;
    }

    boolean residual() {
        return this == BIAS_RESIDUAL;
    }
}
