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

    /**
     * out ← GELU(x), x left as it is (the training forward keeps GELU's input for the backward): the floats
     * {@link #gelu(FloatTensor)} would leave in a copy of x. Both (m, n), out not overlapping x.
     */
    default void gelu(FloatTensor x, FloatTensor out) {
        out.requireShape("GELU output", x.dim(0), x.dim(1));
        for (int r = 0; r < x.dim(0); r++) System.arraycopy(x.data(), x.rowOffset(r), out.data(), out.rowOffset(r), x.dim(1));
        gelu(out);
    }

    /**
     * {@code out (n, out) = epilogue(x (n, in) · Wᵀ + bias)}: a linear layer on its weight packed at load.
     * Each output element is one chain of fused multiply-adds over the inputs in order, started from
     * {@code bias + residual} (0 without them), GELU last; both implementations compute exactly that, so they agree
     * bit for bit and a row's result does not depend on the other rows of the call.
     *
     * @param x        (n, in) activations; rows may have any stride, the last dimension unit stride
     * @param bias     (out), or null for none; must be null with {@link Epilogue#NONE}
     * @param e        what is applied to each output before the store
     * @param residual (n, out), only and always with {@link Epilogue#BIAS_RESIDUAL}; may be {@code out} itself
     * @param out      (n, out), written; must not overlap x
     */
    void linear(FloatTensor x, PackedMatrix w, FloatTensor bias, Epilogue e, FloatTensor residual, FloatTensor out);

    /**
     * As the fp32 {@link #linear(FloatTensor, PackedMatrix, FloatTensor, Epilogue, FloatTensor, FloatTensor) linear}
     * on a weight quantised to int8 (weight-only: x stays fp32): each output is
     * {@code epilogue(scale · Σ_p x[p] · q[p] + bias + residual)}, the sum one fused multiply-add chain in order from 0.
     */
    void linear(FloatTensor x, Int8Matrix w, FloatTensor bias, Epilogue e, FloatTensor residual, FloatTensor out);

    /**
     * {@code out = softmax(mask(q kᵀ · scale)) v} for one head of one sequence, without keeping the probabilities.
     * The reference computes the (n, m) score matrix; the Vector API tiles it with an online softmax
     * ({@link FlashAttention}); they agree to ~1e-6.
     *
     * @param q         (n, dk) queries; a column view (row stride ≥ dk) is fine
     * @param k         (m, dk) keys
     * @param v         (m, dv) values
     * @param causal    query i sees keys j ≤ i only
     * @param validKeys null, or (m): keys marked false (padding) get no weight
     * @param scale     usually 1/√dk
     * @param out       (n, dv), written; a row whose every key is masked becomes 0
     */
    default void attention(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, boolean[] validKeys, float scale, FloatTensor out) {
        attention(q, k, v, causal, -1, validKeys, scale, out);
    }

    /**
     * {@link #attention} under a sliding window as well: query i sees keys j with |i − j| ≤ {@code halfWindow} only
     * (ModernBERT's local layers: local_attention / 2); a negative {@code halfWindow} is no window.
     */
    void attention(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, int halfWindow, boolean[] validKeys, float scale, FloatTensor out);

    // ---- backward (training): the scalar reference in ScalarKernels, fast twins where they exist ----------

    /**
     * The weight gradient of a linear layer y = x Wᵀ + b: {@code dw (out, in) += dyᵀ · x} and {@code db (out) += Σ_rows dy}
     * (db may be null). The input gradient dx = dy · W is the forward {@link #linear} on Wᵀ packed.
     *
     * @param x  (n, in) the layer's input as the forward saw it
     * @param dy (n, out) the loss's gradient at the layer's output
     */
    void linearWeightGrad(FloatTensor x, FloatTensor dy, FloatTensor dw, FloatTensor db);

    /**
     * Backward of {@link #layerNorm} per row, recomputing mean and 1/σ from its input: with x̂ = (x − mean)/σ and
     * g = dy ⊙ γ, {@code dx = (g − mean(g) − x̂ · mean(g ⊙ x̂)) / σ} (written; dx may be dy itself),
     * {@code dgamma += Σ_rows dy ⊙ x̂}, {@code dbeta += Σ_rows dy}.
     *
     * @param x (m, n) the LayerNorm's input (before normalisation)
     */
    void layerNormBackward(FloatTensor x, FloatTensor gamma, float eps, FloatTensor dy, FloatTensor dx, FloatTensor dgamma, FloatTensor dbeta);

    /** Backward of {@link #gelu} (erf form): {@code dy ← dy ⊙ GELU'(x)}, GELU'(x) = Φ(x) + x φ(x); x (m, n) is GELU's input. */
    void geluBackward(FloatTensor x, FloatTensor dy);

    /**
     * Softmax cross-entropy and its gradient, row by row: for each row i whose label is not {@code ignore},
     * {@code terms[i] = −log softmax(logits[i])[labels[i]]} and {@code dlogits[i] = (softmax(logits[i]) − onehot(labels[i])) · scale};
     * for the others terms[i] = 0 and dlogits[i] = 0. Labels are checked by the caller. The reference works in double;
     * the Vector API twin in float lanes (PyTorch's log_softmax works in float too), an MLM step's vocabulary-wide rows
     * being where it matters.
     *
     * @param logits  (m, classes)
     * @param dlogits (m, classes), written; may be logits itself
     * @param terms   (m), written
     */
    void crossEntropyBackward(FloatTensor logits, int[] labels, int ignore, float scale, FloatTensor dlogits, double[] terms);

    /**
     * One AdamW update of elements [from, to) of a parameter, in place (torch's {@code AdamW} with decoupled decay;
     * {@code dev.mlm4j.train.AdamW} computes the step's constants): with {@code g = grad[go + i] · gradScale},
     * <pre>
     *   m[i] ← b1·m[i] + (1 − b1)·g,   v[i] ← b2·v[i] + (1 − b2)·g·g
     *   p[po + i] ← p[po + i]·decay − stepSize·m[i] / (√v[i] / c2 + eps)
     * </pre>
     * in float, in that order (gradScale 1 skips its product). The Vector API twin gives the same bits: every operation
     * is a correctly rounded IEEE one in both, and the float square root of {@code (float) Math.sqrt} is the vector one.
     */
    void adamW(float[] p, int po, float[] grad, int go, float[] m, float[] v, int from, int to,
               float b1, float b2, float c2, float eps, float stepSize, float decay, float gradScale);

    /**
     * {@code Σ d[i]²} over i in [from, to), in double (each float's square is exact there): a piece of gradient
     * clipping's global norm. The reference adds in eight running sums (element from + j into sum j mod 8, combined
     * ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))); the Vector API twin in double lanes, combined in a fixed order.
     * Each gives the same number every time, interpreted or compiled; the two agree to rounding (~1e-14 relative over a
     * piece of 65,536 floats).
     */
    double sumOfSquares(float[] d, int from, int to);

    /**
     * The training forward of {@link #attention} for one head of one sequence: {@code out = (Z ⊙ A) v} with
     * A = softmax(mask(q kᵀ · scale)) and Z the dropout mask on the probabilities (transformers' {@code attention_probs_dropout};
     * {@link DropoutMask#NONE} for none; element (i, j) at index i · m + j), and each row's log-sum-exp
     * {@code lse[i] = log Σ_j exp(s_ij)} of the masked scaled scores (−∞ for a row with every key masked). A is not kept:
     * the backward recomputes it from q, k and lse (FlashAttention's backward).
     *
     * @param lse receives n values from {@code lseOffset}
     */
    default void attentionTraining(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, boolean[] validKeys, float scale,
                                   DropoutMask drop, FloatTensor out, float[] lse, int lseOffset) {
        attentionTraining(q, k, v, causal, -1, validKeys, scale, drop, out, lse, lseOffset);
    }

    /** {@link #attentionTraining} under a sliding window of {@code halfWindow} keys each side (negative: none). */
    void attentionTraining(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, int halfWindow, boolean[] validKeys, float scale,
                           DropoutMask drop, FloatTensor out, float[] lse, int lseOffset);

    /**
     * Backward of {@link #attentionTraining}, recomputing the probabilities P = exp(s − lse) tile by tile instead of
     * reading a saved (n, m) matrix:
     * <pre>
     *   D = rowsum(dO ⊙ O)   dP = dO Vᵀ   dV = (Z ⊙ P)ᵀ dO   dS = P ⊙ (Z ⊙ dP − D)   dQ = scale · dS K   dK = scale · dSᵀ Q
     * </pre>
     * Masked entries have P = 0 and pass no gradient. The scalar reference materialises the (n, m) matrices in double;
     * the Vector API twin ({@link FlashAttentionBackward#backward}) works in tiles.
     *
     * @param out  (n, dv) the forward's output O
     * @param lse  the forward's row log-sum-exps, from {@code lseOffset}
     * @param dOut (n, dv) the gradient at the head's output
     * @param dq   (n, dk), dk (m, dk), dv (m, dv): written (column views of a (T, 3·hidden) gradient are fine)
     */
    default void attentionBackward(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, boolean[] validKeys, float scale,
                                   DropoutMask drop, FloatTensor out, float[] lse, int lseOffset, FloatTensor dOut,
                                   FloatTensor dq, FloatTensor dk, FloatTensor dv) {
        attentionBackward(q, k, v, causal, -1, validKeys, scale, drop, out, lse, lseOffset, dOut, dq, dk, dv);
    }

    /** Backward of the windowed {@link #attentionTraining}. */
    void attentionBackward(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, int halfWindow, boolean[] validKeys, float scale,
                           DropoutMask drop, FloatTensor out, float[] lse, int lseOffset, FloatTensor dOut,
                           FloatTensor dq, FloatTensor dk, FloatTensor dv);

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
