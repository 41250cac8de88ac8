package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DistilBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.DropoutMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

/**
 * transformers' DistilBERT {@code TransformerBlock} (post-norm, as BERT's layer): {@code a = sa_layer_norm(x +
 * attention(x))}, {@code y = output_layer_norm(a + ffn(a))}; keys {@code attention.*}, {@code sa_layer_norm},
 * {@code ffn.*}, {@code output_layer_norm}. Its training is BERT's layer's on these modules' parts: the two
 * dense + residual + LayerNorm steps are {@link DenseResidualNorm}s ({@code out_lin} with {@code sa_layer_norm}, no
 * dropout; {@code lin2} with {@code output_layer_norm}, the FFN's dropout), the activations a {@link LayerActivations}.
 */
public final class DistilBertTransformerBlock {
    private final DistilBertSelfAttention attention;
    private final LayerNorm saLayerNorm;
    private final DistilBertFFN ffn;
    private final LayerNorm outputLayerNorm;
    private final DenseResidualNorm attentionOutput; // sa_layer_norm(x + out_lin(ctx))
    private final DenseResidualNorm ffnOutput;       // output_layer_norm(a + dropout(lin2(h)))

    public DistilBertTransformerBlock(Weights w, DistilBertConfig c, Precision precision) {
        this.attention = new DistilBertSelfAttention(w.prefix("attention"), c, precision);
        this.saLayerNorm = LayerNorm.load(w.prefix("sa_layer_norm"), c.dim(), DistilBertConfig.LAYER_NORM_EPS);
        this.ffn = new DistilBertFFN(w.prefix("ffn"), c, precision);
        this.outputLayerNorm = LayerNorm.load(w.prefix("output_layer_norm"), c.dim(), DistilBertConfig.LAYER_NORM_EPS);
        this.attentionOutput = new DenseResidualNorm(attention.outLin(), saLayerNorm);
        this.ffnOutput = new DenseResidualNorm(ffn.lin2(), outputLayerNorm);
    }

    /** x (T, dim) is updated in place to the block's output. */
    void forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, LayerState s, ForwardCapture capture) {
        FloatTensor a = attention.forward(k, x, batch, mask, s, capture);     // (T, dim)
        saLayerNorm.forward(k, a);
        ffn.forward(k, a, s, x);                                                // x ← a + ffn(a)
        outputLayerNorm.forward(k, x);
    }

    /**
     * Training forward: x (T, dim) → y (T, dim), a different buffer (x is kept for the backward); internals saved in
     * {@code a}. Dropout on the attention probabilities and after {@code lin2} ({@code a}'s masks); none after
     * {@code out_lin}, as in transformers.
     */
    void forwardTraining(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, LayerActivations a, FloatTensor y) {
        FloatTensor ctx = attention.forwardTraining(k, x, batch, mask, a);                                     // (T, dim)
        FloatTensor attn = attentionOutput.forwardTraining(k, ctx, x, DropoutMask.NONE, a.attnSum, a.attn);     // (T, dim)
        ffnOutput.forwardTraining(k, ffn.forwardTraining(k, attn, a.interPre, a.inter), attn, a.outDrop, a.outSum, y);
    }

    /** Backward: dy (T, dim) at the block's output → dx (T, dim) at its input x (written); gradients under {@code g} (this block's scope). */
    void backward(Kernels k, FloatTensor x, Batch batch, LayerActivations a, FloatTensor dy, FloatTensor dx, Gradients g) {
        FloatTensor dinter = Parallel.zeroed(a.grads.dinter), dattn = Parallel.zeroed(a.grads.dattn); // (T, hidden_dim), (T, dim)
        Gradients ffnGrads = g.prefix("ffn"), attentionGrads = g.prefix("attention");
        ffnOutput.backward(k, a.inter, a.outSum, a.outDrop, dy, dinter, dattn, ffnGrads.prefix("lin2"), g.prefix("output_layer_norm"));
        ffn.backward(k, a.attn, a.interPre, dinter, dattn, ffnGrads);
        FloatTensor dctx = Parallel.zeroed(a.grads.dctx);                                               // (T, dim)
        attentionOutput.backward(k, a.ctx, a.attnSum, DropoutMask.NONE, dattn, dctx, dx, attentionGrads.prefix("out_lin"), g.prefix("sa_layer_norm"));
        attention.backward(k, x, batch, a, dctx, dx, attentionGrads);
    }

    void parameters(Parameters p) {
        attention.parameters(p.prefix("attention"));
        saLayerNorm.parameters(p.prefix("sa_layer_norm"));
        ffn.parameters(p.prefix("ffn"));
        outputLayerNorm.parameters(p.prefix("output_layer_norm"));
    }
}
