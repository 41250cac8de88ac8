package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.attention.ScaledDotProductAttention;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
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
     * x (T, hidden), a packed batch → the context vectors, heads concatenated, in the state's ctx (T, hidden), which is
     * returned (every element written); Q | K | V go to the state's qkv. When {@code capture} records attention
     * probabilities or scores, this layer's (heads, len, len) per sequence are appended to it (the exact path);
     * otherwise each head takes the tiled path, with no (len, len) matrix.
     */
    public FloatTensor forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, LayerState state, ForwardCapture capture) {
        int hidden = x.dim(1), t = x.dim(0);
        FloatTensor qkvOut = state.qkv(t), ctx = state.ctx(t);
        qkv.forwardInto(k, x, qkvOut);                                                  // (T, 3·hidden)
        FloatTensor q = qkvOut.columns(0, hidden), kk = qkvOut.columns(hidden, hidden), v = qkvOut.columns(2 * hidden, hidden);
        int sequences = batch.size();
        ForwardCapture.LayerAttention record = capture.attention(batch, heads);        // null: nothing to record
        FloatTensor[] probs = record == null ? null : record.probabilities(), scores = record == null ? null : record.scores();
        Parallel.forEach(sequences * heads, task -> {
            int s = task / heads, h = task % heads;
            int off = batch.offset(s), len = batch.length(s);
            FloatTensor qh = q.slice(off, len).columns(h * headSize, headSize), kh = kk.slice(off, len).columns(h * headSize, headSize),
                    vh = v.slice(off, len).columns(h * headSize, headSize), out = ctx.slice(off, len).columns(h * headSize, headSize);
            if (record == null) {
                ScaledDotProductAttention.attend(k, qh, kh, vh, mask, out);      // tiled: no (len, len) matrix
            } else {
                FloatTensor work = probs != null ? probs[s].row(h) : FloatTensor.zeros(len, len); // (len, len)
                ScaledDotProductAttention.attend(k, qh, kh, vh, mask, work, out, scores != null ? scores[s].row(h) : null);
            }
        });
        return ctx;
    }
}
