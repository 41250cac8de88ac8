package dev.mlm4j.heads;

import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code ModernBertPredictionHead}: {@code norm(gelu(dense(h)))}, keys {@code head.{dense,norm}}; what the
 * MLM decoder and every classifier of ModernBERT read (bias only with {@code classifier_bias}/{@code norm_bias}).
 */
public final class ModernBertPredictionHead implements Transform {
    private final Linear dense;
    private final LayerNorm norm;

    public ModernBertPredictionHead(Weights w, ModernBertConfig c, Precision precision) {
        this.dense = Linear.load(w.prefix("dense"), c.hiddenSize(), c.hiddenSize(), c.classifierBias(), precision);
        this.norm = LayerNorm.load(w.prefix("norm"), c.hiddenSize(), c.normEps(), c.normBias());
    }

    /** h (n, hidden) → a new (n, hidden) tensor. */
    @Override
    public FloatTensor forward(Kernels k, FloatTensor h) {
        FloatTensor y = dense.forwardGelu(k, h);
        norm.forward(k, y);
        return y;
    }

    /** ModernBERT's MLM head: this transform, then {@code decoder} (vocab, hidden) tied to the token embeddings and {@code bias} (vocab, or null without {@code decoder_bias}). */
    public RobertaLMHead lmHead(FloatTensor decoder, FloatTensor bias) {
        return RobertaLMHead.of(dense, norm, decoder, bias);
    }
}
