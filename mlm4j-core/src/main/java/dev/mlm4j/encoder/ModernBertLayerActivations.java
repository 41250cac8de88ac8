package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.kernels.DropoutMask;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.tensor.FloatTensor;

/**
 * What one {@link ModernBertEncoderLayer}'s training forward saves for its backward (BERT's {@link LayerActivations}
 * does not fit: pre-norm, a GeGLU twice the intermediate wide, rotary Q and K). The layer's input and output are the
 * model's hidden states, not in here. Each head keeps its row log-sum-exps, from which the backward recomputes the
 * probabilities (FlashAttention's backward; a sliding-window layer's inside its window only), so no layer keeps a
 * (len, len) matrix. Dropout masks are regenerated from their keys.
 */
public final class ModernBertLayerActivations {
    final FloatTensor attnIn;   // (T, hidden)          attn_norm(x); a copy of x on layer 0 (no attn_norm)
    final FloatTensor qkv;      // (T, 3·hidden)        Wqkv(attnIn), Q and K rotated
    final float[] lse;          // (heads, T)           per head and row, log Σ_j exp(s_ij) over the keys it sees
    final FloatTensor ctx;      // (T, hidden)          attention output, heads merged, before Wo
    final FloatTensor mid;      // (T, hidden)          x + dropout(Wo(ctx))
    final FloatTensor mlpIn;    // (T, hidden)          mlp_norm(mid)
    final FloatTensor wi;       // (T, 2·intermediate)  Wi(mlpIn): input | gate
    final FloatTensor act;      // (T, intermediate)    dropout(gelu(input) · gate), Wo's input
    final DropoutMask probsDrop, attnDrop, mlpDrop; // the probabilities' (a child per sequence and head), Wo's output (out_drop), the MLP's (drop)
    AttentionMask mask = AttentionMask.BIDIRECTIONAL; // the forward's, for the backward

    /** Layer {@code layer}'s activations for {@code t} tokens, its dropout masks from {@code dropout}. */
    public ModernBertLayerActivations(int t, ModernBertConfig c, Dropout dropout, int layer) {
        int h = c.hiddenSize(), i = c.intermediateSize(), heads = c.numAttentionHeads();
        this.attnIn = FloatTensor.zeros(t, h);
        this.qkv = FloatTensor.zeros(t, 3 * h);
        this.lse = new float[heads * t];
        this.ctx = FloatTensor.zeros(t, h);
        this.mid = FloatTensor.zeros(t, h);
        this.mlpIn = FloatTensor.zeros(t, h);
        this.wi = FloatTensor.zeros(t, 2 * i);
        this.act = FloatTensor.zeros(t, i);
        this.probsDrop = dropout.attentionProbs(layer);
        this.attnDrop = probsDrop.child(-1);             // out_drop: attention_dropout's rate, apart from every head's mask (children 0, 1, …)
        this.mlpDrop = dropout.output(layer);
    }

    /**
     * A view of {@code of}'s first t rows, with layer {@code layer}'s masks from {@code dropout}. Not zero-filled: the
     * forward writes every float of these rows before anything reads it, as {@code ReusedStateTest} checks; only the
     * log-sum-exps, a float per head and token, are cleared.
     */
    private ModernBertLayerActivations(ModernBertLayerActivations of, int t, int heads, Dropout dropout, int layer) {
        this.attnIn = of.attnIn.slice(0, t);
        this.qkv = of.qkv.slice(0, t);
        this.lse = of.lse;
        java.util.Arrays.fill(lse, 0, heads * t, 0f);
        this.ctx = of.ctx.slice(0, t);
        this.mid = of.mid.slice(0, t);
        this.mlpIn = of.mlpIn.slice(0, t);
        this.wi = of.wi.slice(0, t);
        this.act = of.act.slice(0, t);
        this.probsDrop = dropout.attentionProbs(layer);
        this.attnDrop = probsDrop.child(-1);
        this.mlpDrop = dropout.output(layer);
    }

    /** Every layer's activations for {@code t} tokens. */
    public static ModernBertLayerActivations[] allocate(int t, ModernBertConfig c, Dropout dropout) {
        ModernBertLayerActivations[] a = new ModernBertLayerActivations[c.numHiddenLayers()];
        for (int i = 0; i < a.length; i++) a[i] = new ModernBertLayerActivations(t, c, dropout, i);
        return a;
    }

    /**
     * Views of {@code of} (from {@link #allocate}, for at least t tokens) for a batch of {@code t} tokens under
     * {@code dropout}: the same floats, nothing allocated but the views.
     */
    public static ModernBertLayerActivations[] reuse(ModernBertLayerActivations[] of, int t, ModernBertConfig c, Dropout dropout) {
        ModernBertLayerActivations[] a = new ModernBertLayerActivations[of.length];
        for (int i = 0; i < a.length; i++) a[i] = new ModernBertLayerActivations(of[i], t, c.numAttentionHeads(), dropout, i);
        return a;
    }

    /** Bytes of the saved activations (floats × 4). */
    public long bytes() {
        return 4L * ((long) attnIn.size() + qkv.size() + lse.length + ctx.size() + mid.size() + mlpIn.size() + wi.size() + act.size());
    }
}
