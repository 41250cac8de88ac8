package dev.mlm4j.attention;

import dev.mlm4j.kernels.DropoutMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;

/**
 * The attention of the seed, in one place: for one head of one sequence,
 * <pre>
 *   scores = Q Kᵀ / √d_k        (n, n)
 *   scores = mask(scores)        −∞ where the mask forbids
 *   A      = softmax_rows(scores)
 *   h      = A V                 (n, d_v)
 * </pre>
 * Every model block that attends (the seed's toy example, BERT's self-attention) calls this.
 * Reference: transformers' {@code eager_attention_forward} in modeling_bert.py.
 *
 * <p>Two paths compute the same h. When the caller wants A (or the raw scores) — the explorer — the
 * exact path above materialises the (n, n) matrix. When only h is wanted, {@link #attend(Kernels,
 * FloatTensor, FloatTensor, FloatTensor, AttentionMask, FloatTensor)} runs the kernels' own {@link Kernels#attention}:
 * on the Vector API, tiles with an online softmax and no (n, n) matrix (transformers' {@code sdpa} in spirit); on the
 * scalar reference ({@code -Dmlm4j.kernels=scalar}), the exact path.
 */
public final class ScaledDotProductAttention {
    private ScaledDotProductAttention() {}

    /**
     * h = softmax(mask(QKᵀ/√d_k)) V without keeping A, on {@code kernels}' {@link Kernels#attention}: the tiled path
     * on the Vector API kernels, the exact path (with a temporary (n, n) workspace) on the scalar reference.
     *
     * @param out (n, d_v) receives h
     */
    public static void attend(Kernels kernels, FloatTensor q, FloatTensor k, FloatTensor v, AttentionMask mask, FloatTensor out) {
        kernels.attention(q, k, v, mask.isCausal(), mask.validKeys(), (float) (1.0 / Math.sqrt(q.dim(1))), out);
    }

    /**
     * @param q      (n, d_k) queries of one head (a column view of Q is fine)
     * @param k      (n, d_k) keys
     * @param v      (n, d_v) values
     * @param mask   bidirectional or causal, with optional padding
     * @param scores (n, n) workspace; holds the attention probabilities A on return
     * @param out    (n, d_v) receives h = A V
     */
    public static void attend(Kernels kernels, FloatTensor q, FloatTensor k, FloatTensor v, AttentionMask mask,
                              FloatTensor scores, FloatTensor out) {
        attend(kernels, q, k, v, mask, scores, out, null);
    }

    /**
     * As above; if {@code rawScores} (n, n) is non-null it receives QKᵀ/√d_k as it is before the mask
     * (an explorer's view of the scores; the default path never copies them).
     */
    public static void attend(Kernels kernels, FloatTensor q, FloatTensor k, FloatTensor v, AttentionMask mask,
                              FloatTensor scores, FloatTensor out, FloatTensor rawScores) {
        int n = q.dim(0), dk = q.dim(1);
        if (k.dim(0) != v.dim(0) || k.dim(1) != dk) {
            throw new IllegalArgumentException("attention shapes: q" + java.util.Arrays.toString(q.shape())
                    + " k" + java.util.Arrays.toString(k.shape()) + " v" + java.util.Arrays.toString(v.shape()));
        }
        scores.requireShape("attention scores", n, k.dim(0));
        out.requireShape("attention output", n, v.dim(1));
        kernels.matmulTransposed(q, k, scores);          // (n, n) = Q Kᵀ
        kernels.scale(scores, (float) (1.0 / Math.sqrt(dk)));
        if (rawScores != null) copy(scores, rawScores.requireShape("raw attention scores", n, k.dim(0)));
        mask.apply(scores);
        kernels.softmaxRows(scores);                     // A
        kernels.matmul(scores, v, out);                  // h = A V
    }

    /**
     * The training forward ({@link Kernels#attentionTraining}): h = (Z ⊙ A) V with the dropout mask {@code drop} on the
     * probabilities, A itself not kept; each row's log-sum-exp goes to {@code lse} from {@code lseOffset}.
     */
    public static void attendTraining(Kernels kernels, FloatTensor q, FloatTensor k, FloatTensor v, AttentionMask mask,
                                      DropoutMask drop, FloatTensor out, float[] lse, int lseOffset) {
        kernels.attentionTraining(q, k, v, mask.isCausal(), mask.validKeys(), (float) (1.0 / Math.sqrt(q.dim(1))), drop, out, lse, lseOffset);
    }

    /**
     * Backward of {@link #attendTraining}, recomputing the probabilities from q, k and the saved log-sum-exps
     * ({@link Kernels#attentionBackward}, FlashAttention's backward): dq, dk, dv written.
     *
     * @param out  (n, d_v) h as the forward computed it
     * @param dOut (n, d_v) the gradient at h
     */
    public static void backward(Kernels kernels, FloatTensor q, FloatTensor k, FloatTensor v, AttentionMask mask, DropoutMask drop,
                                FloatTensor out, float[] lse, int lseOffset, FloatTensor dOut, FloatTensor dq, FloatTensor dk, FloatTensor dv) {
        kernels.attentionBackward(q, k, v, mask.isCausal(), mask.validKeys(), (float) (1.0 / Math.sqrt(q.dim(1))), drop, out, lse, lseOffset,
                dOut, dq, dk, dv);
    }

    private static void copy(FloatTensor from, FloatTensor to) {
        int n = from.dim(0), m = from.dim(1);
        for (int i = 0; i < n; i++) System.arraycopy(from.data(), from.rowOffset(i), to.data(), to.rowOffset(i), m);
    }
}
