package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DistilBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code DistilBertSelfAttention} (formerly {@code MultiHeadSelfAttention}): keys
 * {@code {q_lin,k_lin,v_lin,out_lin}}. The attention itself is the seed's, run by {@link BertSelfAttention} on the
 * {@code q_lin}/{@code k_lin}/{@code v_lin} projections (one copy of the attention for every family); {@code out_lin}
 * is the output projection, added to the residual here (the block's {@code sa_layer_norm} follows).
 */
public final class DistilBertSelfAttention {
    private final BertSelfAttention attention;
    private final Linear outLin;

    public DistilBertSelfAttention(Weights w, DistilBertConfig c, Precision precision) {
        this.attention = new BertSelfAttention(w.prefix("q_lin"), w.prefix("k_lin"), w.prefix("v_lin"), c.dim(), c.nHeads(), precision);
        this.outLin = Linear.load(w.prefix("out_lin"), c.dim(), c.dim(), precision);
    }

    /** x (T, dim) → state's attn (T, dim) = x + out_lin(attention(x)); capture as in {@link BertSelfAttention#forward}. */
    FloatTensor forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, LayerState s, ForwardCapture capture) {
        return outLin.forwardPlusInto(k, attention.forward(k, x, batch, mask, s, capture), x, s.attn(x.dim(0)));
    }
}
