package dev.mlm4j.attention;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;

/**
 * Multi-head self-attention with explicit projection matrices, exactly as the seed writes it:
 * Q = X W_Q + b_Q, K = X W_K + b_K, V = X W_V + b_V, then for each head
 * A = softmax(mask(Q Kᵀ/√d_k)) and h = A V; the heads' outputs are concatenated (merged).
 *
 * <p>This is the textbook form, with every intermediate kept, for the worked example and for the
 * property tests. BERT's block ({@code dev.mlm4j.encoder.BertSelfAttention}) runs the same
 * {@link ScaledDotProductAttention} on its own weights.
 *
 * @param wq (d_model, heads · d_k)
 * @param wk (d_model, heads · d_k)
 * @param wv (d_model, heads · d_v)
 * @param bq (heads · d_k) or null
 * @param bk (heads · d_k) or null
 * @param bv (heads · d_v) or null
 */
public record SelfAttention(FloatTensor wq, FloatTensor wk, FloatTensor wv,
                            FloatTensor bq, FloatTensor bk, FloatTensor bv, int heads) {

    public SelfAttention {
        if (heads < 1) throw new IllegalArgumentException("heads must be ≥ 1");
        int d = wq.dim(0);
        if (wk.dim(0) != d || wv.dim(0) != d) throw new IllegalArgumentException("W_Q, W_K, W_V must have the same number of rows");
        if (wq.dim(1) != wk.dim(1)) throw new IllegalArgumentException("W_Q and W_K must have the same number of columns");
        if (wq.dim(1) % heads != 0 || wv.dim(1) % heads != 0) {
            throw new IllegalArgumentException("projection widths " + wq.dim(1) + "/" + wv.dim(1) + " do not split into " + heads + " heads");
        }
    }

    /** Single head, no biases. */
    public static SelfAttention of(FloatTensor wq, FloatTensor wk, FloatTensor wv) {
        return new SelfAttention(wq, wk, wv, null, null, null, 1);
    }

    /** Every intermediate of one forward pass. Per-head tensors are indexed [head]. */
    public record Steps(FloatTensor q, FloatTensor k, FloatTensor v,
                        FloatTensor[] rawScores, FloatTensor[] scaledScores, FloatTensor[] maskedScores,
                        FloatTensor[] probabilities, FloatTensor output) {}

    /** h for X (n, d_model); the result is (n, heads · d_v). */
    public FloatTensor forward(Kernels kernels, FloatTensor x, AttentionMask mask) {
        FloatTensor q = project(kernels, x, wq, bq), k = project(kernels, x, wk, bk), v = project(kernels, x, wv, bv);
        int n = x.dim(0), dk = wq.dim(1) / heads, dv = wv.dim(1) / heads;
        FloatTensor out = FloatTensor.zeros(n, heads * dv);
        FloatTensor scores = FloatTensor.zeros(n, n);
        for (int h = 0; h < heads; h++) {
            ScaledDotProductAttention.attend(kernels, q.columns(h * dk, dk), k.columns(h * dk, dk),
                    v.columns(h * dv, dv), mask, scores, out.columns(h * dv, dv));
        }
        return out;
    }

    /** Like {@link #forward} but keeps QKᵀ, the scaled and masked scores and A of every head. */
    public Steps steps(Kernels kernels, FloatTensor x, AttentionMask mask) {
        if (x.dim(0) == 0) throw new IllegalArgumentException("empty sequence: attention needs at least one token");
        FloatTensor q = project(kernels, x, wq, bq), k = project(kernels, x, wk, bk), v = project(kernels, x, wv, bv);
        int n = x.dim(0), dk = wq.dim(1) / heads, dv = wv.dim(1) / heads;
        FloatTensor out = FloatTensor.zeros(n, heads * dv);
        FloatTensor[] raw = new FloatTensor[heads], scaled = new FloatTensor[heads], masked = new FloatTensor[heads],
                probs = new FloatTensor[heads];
        for (int h = 0; h < heads; h++) {
            FloatTensor qh = q.columns(h * dk, dk), kh = k.columns(h * dk, dk);
            raw[h] = FloatTensor.zeros(n, n);
            kernels.matmulTransposed(qh, kh, raw[h]);
            scaled[h] = raw[h].copy();
            kernels.scale(scaled[h], (float) (1.0 / Math.sqrt(dk)));
            masked[h] = scaled[h].copy();
            mask.apply(masked[h]);
            probs[h] = FloatTensor.zeros(n, n);
            ScaledDotProductAttention.attend(kernels, qh, kh, v.columns(h * dv, dv), mask, probs[h], out.columns(h * dv, dv));
        }
        return new Steps(q, k, v, raw, scaled, masked, probs, out);
    }

    private static FloatTensor project(Kernels kernels, FloatTensor x, FloatTensor w, FloatTensor b) {
        if (x.dim(1) != w.dim(0)) {
            throw new IllegalArgumentException("X has " + x.dim(1) + " columns but the projection expects " + w.dim(0));
        }
        FloatTensor y = FloatTensor.zeros(x.dim(0), w.dim(1));
        kernels.matmul(x, w, y);
        if (b != null) kernels.addBias(y, b);
        return y;
    }
}
