package dev.mlm4j.encoder;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.tensor.FloatTensor;

/**
 * What one encoder layer's training forward saves for its backward, sized from the batch: unlike the inference
 * {@link LayerState} (one workspace reused by every layer, the hidden state overwritten in place) each layer keeps
 * its own. The layer's input and output are not in here: they are the encoder's hidden states
 * ({@link BertEncoder#forwardTraining}). Attention probabilities are saved, not recomputed: exact, and at training
 * lengths (≤ 512) smaller than the FFN's activations per head.
 */
public final class LayerActivations {
    final FloatTensor qkv;      // (T, 3·hidden)        query | key | value
    final FloatTensor[] probs;  // per sequence (heads, len, len)  A = softmax(mask(QKᵀ/√d_k))
    final FloatTensor ctx;      // (T, hidden)          A V, heads merged
    final FloatTensor attnSum;  // (T, hidden)          x + dense(ctx), before LayerNorm
    final FloatTensor attn;     // (T, hidden)          LayerNorm(attnSum)
    final FloatTensor interPre; // (T, intermediate)    dense(attn), before GELU
    final FloatTensor inter;    // (T, intermediate)    GELU(interPre)
    final FloatTensor outSum;   // (T, hidden)          attn + dense(inter), before LayerNorm

    public LayerActivations(Batch batch, BertConfig c) {
        int t = batch.tokens(), h = c.hiddenSize(), i = c.intermediateSize();
        this.qkv = FloatTensor.zeros(t, 3 * h);
        this.probs = new FloatTensor[batch.size()];
        for (int s = 0; s < probs.length; s++) probs[s] = FloatTensor.zeros(c.numAttentionHeads(), batch.length(s), batch.length(s));
        this.ctx = FloatTensor.zeros(t, h);
        this.attnSum = FloatTensor.zeros(t, h);
        this.attn = FloatTensor.zeros(t, h);
        this.interPre = FloatTensor.zeros(t, i);
        this.inter = FloatTensor.zeros(t, i);
        this.outSum = FloatTensor.zeros(t, h);
    }

    /** (heads, len, len) attention probabilities of sequence s, as the training forward computed them. */
    public FloatTensor probabilities(int s) {
        return probs[s];
    }

    static void copy(FloatTensor from, FloatTensor to) {
        for (int r = 0; r < from.dim(0); r++) System.arraycopy(from.data(), from.rowOffset(r), to.data(), to.rowOffset(r), from.dim(1));
    }
}
