package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DistilBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * transformers' DistilBERT {@code TransformerBlock} (post-norm, as BERT's layer): {@code a = sa_layer_norm(x +
 * attention(x))}, {@code y = output_layer_norm(a + ffn(a))}; keys {@code attention.*}, {@code sa_layer_norm},
 * {@code ffn.*}, {@code output_layer_norm}.
 */
public final class DistilBertTransformerBlock {
    private final DistilBertSelfAttention attention;
    private final LayerNorm saLayerNorm;
    private final DistilBertFFN ffn;
    private final LayerNorm outputLayerNorm;

    public DistilBertTransformerBlock(Weights w, DistilBertConfig c, Precision precision) {
        this.attention = new DistilBertSelfAttention(w.prefix("attention"), c, precision);
        this.saLayerNorm = LayerNorm.load(w.prefix("sa_layer_norm"), c.dim(), DistilBertConfig.LAYER_NORM_EPS);
        this.ffn = new DistilBertFFN(w.prefix("ffn"), c, precision);
        this.outputLayerNorm = LayerNorm.load(w.prefix("output_layer_norm"), c.dim(), DistilBertConfig.LAYER_NORM_EPS);
    }

    /** x (T, dim) is updated in place to the block's output. */
    void forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, LayerState s, ForwardCapture capture) {
        FloatTensor a = attention.forward(k, x, batch, mask, s, capture);     // (T, dim)
        saLayerNorm.forward(k, a);
        ffn.forward(k, a, s, x);                                                // x ← a + ffn(a)
        outputLayerNorm.forward(k, x);
    }
}
