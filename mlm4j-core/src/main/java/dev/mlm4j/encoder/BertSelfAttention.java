package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.attention.ScaledDotProductAttention;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.layers.Precision;
import dev.mlm4j.model.Batch;
import dev.mlm4j.model.BertConfig;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * Q = X W_Q + b_Q, K = X W_K + b_K, V = X W_V + b_V, then per sequence and head the seed's
 * A = softmax(mask(QKᵀ/√d_k)), h = AV, heads merged. Mirrors transformers' {@code BertSelfAttention};
 * keys {@code attention.self.{query,key,value}}. The mask (bidirectional or causal) is the caller's choice.
 */
public final class BertSelfAttention {
    private final Linear qkv; // hidden → 3·hidden: query, key and value fused into one GEMM
    private final int heads, headSize;

    public BertSelfAttention(Weights w, BertConfig c, Precision precision) {
        int h = c.hiddenSize();
        this.qkv = Linear.fused(precision, h, new int[] {h, h, h}, w.prefix("query"), w.prefix("key"), w.prefix("value"));
        this.heads = c.numAttentionHeads();
        this.headSize = c.headSize();
    }

    /**
     * @param x      (T, hidden) packed batch
     * @param qkvOut (T, 3·hidden) workspace: receives Q | K | V
     * @param ctx    (T, hidden) receives the context vectors, heads concatenated (every element is written)
     * @param probs  if non-null, receives probs[s] = (heads, len_s, len_s) attention probabilities
     * @param scores if non-null, receives scores[s] = (heads, len_s, len_s) QKᵀ/√d_k before the mask
     * @return ctx
     */
    public FloatTensor forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, FloatTensor qkvOut, FloatTensor ctx,
                               FloatTensor[] probs, FloatTensor[] scores) {
        int hidden = x.dim(1);
        qkv.forwardInto(k, x, qkvOut);                                                  // (T, 3·hidden)
        FloatTensor q = qkvOut.columns(0, hidden), kk = qkvOut.columns(hidden, hidden), v = qkvOut.columns(2 * hidden, hidden);
        int sequences = batch.size();
        if (probs != null) {
            for (int s = 0; s < sequences; s++) probs[s] = FloatTensor.zeros(heads, batch.length(s), batch.length(s));
        }
        if (scores != null) {
            for (int s = 0; s < sequences; s++) scores[s] = FloatTensor.zeros(heads, batch.length(s), batch.length(s));
        }
        Parallel.forEach(sequences * heads, task -> {
            int s = task / heads, h = task % heads;
            int off = batch.offset(s), len = batch.length(s);
            FloatTensor qh = q.slice(off, len).columns(h * headSize, headSize), kh = kk.slice(off, len).columns(h * headSize, headSize),
                    vh = v.slice(off, len).columns(h * headSize, headSize), out = ctx.slice(off, len).columns(h * headSize, headSize);
            if (probs == null && scores == null) {
                ScaledDotProductAttention.attend(k, qh, kh, vh, mask, out);      // tiled: no (len, len) matrix
            } else {
                FloatTensor work = probs != null ? probs[s].row(h) : FloatTensor.zeros(len, len); // (len, len)
                ScaledDotProductAttention.attend(k, qh, kh, vh, mask, work, out, scores != null ? scores[s].row(h) : null);
            }
        });
        return ctx;
    }
}
