package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DistilBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code DistilBertSelfAttention} (formerly {@code MultiHeadSelfAttention}): keys
 * {@code {q_lin,k_lin,v_lin,out_lin}}. The attention itself is the seed's, run by {@link BertSelfAttention} on the
 * {@code q_lin}/{@code k_lin}/{@code v_lin} projections (one copy of the attention for every family, forward and
 * backward); {@code out_lin} is the output projection, added to the residual here at inference (the block's
 * {@code sa_layer_norm} follows). In training the block runs {@code out_lin}, the residual and {@code sa_layer_norm}
 * as one {@link DenseResidualNorm}. No dropout after {@code out_lin}: transformers applies none there.
 */
public final class DistilBertSelfAttention {
    private static final String[] NAMES = {"q_lin", "k_lin", "v_lin"};

    private final BertSelfAttention attention;
    private final Linear outLin; // dim → dim

    public DistilBertSelfAttention(Weights w, DistilBertConfig c, Precision precision) {
        this.attention = new BertSelfAttention(w, NAMES, c.dim(), c.nHeads(), precision);
        this.outLin = Linear.load(w.prefix("out_lin"), c.dim(), c.dim(), precision);
    }

    /** x (T, dim) → state's attn (T, dim) = x + out_lin(attention(x)); capture as in {@link BertSelfAttention#forward}. */
    FloatTensor forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, LayerState s, ForwardCapture capture) {
        return outLin.forwardPlusInto(k, attention.forward(k, x, batch, mask, s, capture), x, s.attn(x.dim(0)));
    }

    /** {@code out_lin}, which the block's training runs with the residual and {@code sa_layer_norm}. */
    Linear outLin() {
        return outLin;
    }

    /** The training forward of the attention before {@code out_lin}: the context a.ctx (T, dim), heads merged, dropout on the probabilities. */
    FloatTensor forwardTraining(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, LayerActivations a) {
        return attention.forwardTraining(k, x, batch, mask, a);
    }

    /** Backward from {@code dctx} (T, dim) at the context → dx (T, dim) {@code +=}; q_lin, k_lin, v_lin's gradients under {@code g}. */
    void backward(Kernels k, FloatTensor x, Batch batch, LayerActivations a, FloatTensor dctx, FloatTensor dx, Gradients g) {
        attention.backward(k, x, batch, a, dctx, dx, g);
    }

    void parameters(Parameters p) {
        attention.parameters(p);
        outLin.parameters(p.prefix("out_lin"));
    }
}
