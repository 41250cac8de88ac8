package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DebertaV2Config;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code DebertaV2Layer}, post-norm as BERT's: {@code DebertaV2Attention} (keys {@code attention.self.*}:
 * the {@link DisentangledSelfAttention}; {@code attention.output.{dense,LayerNorm}}: a = LayerNorm(x + dense(ctx))),
 * {@code DebertaV2Intermediate} ({@code intermediate.dense}, GELU) and {@code DebertaV2Output}
 * ({@code output.{dense,LayerNorm}}: y = LayerNorm(a + dense(gelu(intermediate(a))))).
 */
public final class DebertaV2Layer {
    private final DisentangledSelfAttention attention;
    private final Linear attentionOutput;      // attention.output.dense, hidden → hidden
    private final LayerNorm attentionNorm;     // attention.output.LayerNorm
    private final Linear intermediate;         // intermediate.dense, hidden → intermediate
    private final Linear output;               // output.dense, intermediate → hidden
    private final LayerNorm outputNorm;        // output.LayerNorm

    public DebertaV2Layer(Weights w, DebertaV2Config c, Precision precision) {
        int h = c.hiddenSize();
        Weights att = w.prefix("attention");
        this.attention = new DisentangledSelfAttention(att.prefix("self"), c, precision);
        this.attentionOutput = Linear.load(att.prefix("output").prefix("dense"), h, h, precision);
        this.attentionNorm = LayerNorm.load(att.prefix("output").prefix("LayerNorm"), h, c.layerNormEps());
        this.intermediate = Linear.load(w.prefix("intermediate").prefix("dense"), h, c.intermediateSize(), precision);
        this.output = Linear.load(w.prefix("output").prefix("dense"), c.intermediateSize(), h, precision);
        this.outputNorm = LayerNorm.load(w.prefix("output").prefix("LayerNorm"), h, c.layerNormEps());
    }

    /** x (T, hidden) → the layer's output, a new (T, hidden) tensor. */
    FloatTensor forward(Kernels k, FloatTensor x, FloatTensor rel, Batch batch, AttentionMask mask, ForwardCapture capture) {
        FloatTensor a = attentionOutput.forwardPlus(k, attention.forward(k, x, rel, batch, mask, capture), x);
        attentionNorm.forward(k, a);
        FloatTensor y = output.forwardPlus(k, intermediate.forwardGelu(k, a), a);
        outputNorm.forward(k, y);
        return y;
    }
}
