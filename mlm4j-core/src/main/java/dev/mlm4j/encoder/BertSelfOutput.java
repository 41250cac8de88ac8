package dev.mlm4j.encoder;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/** LayerNorm(dense(h) + input): transformers' {@code BertSelfOutput}; keys {@code attention.output.{dense,LayerNorm}}. */
public final class BertSelfOutput {
    private final Linear dense;        // hidden → hidden
    private final LayerNorm layerNorm;

    public BertSelfOutput(Weights w, BertConfig c, Precision precision) {
        this.dense = Linear.load(w.prefix("dense"), c.hiddenSize(), c.hiddenSize(), precision);
        this.layerNorm = LayerNorm.load(w.prefix("LayerNorm"), c.hiddenSize(), c.layerNormEps());
    }

    /** y (T, hidden) ← LayerNorm(dense(hidden (T, hidden)) + input (T, hidden)); returns y. */
    public FloatTensor forward(Kernels k, FloatTensor hidden, FloatTensor input, FloatTensor y) {
        dense.forwardPlusInto(k, hidden, input, y);
        layerNorm.forward(k, y);
        return y;
    }
}
