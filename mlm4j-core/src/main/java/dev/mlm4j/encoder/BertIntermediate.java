package dev.mlm4j.encoder;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/** GELU(dense(x)), hidden → intermediate: transformers' {@code BertIntermediate}; key {@code intermediate.dense}. */
public final class BertIntermediate {
    private final Linear dense; // hidden → intermediate

    public BertIntermediate(Weights w, BertConfig c, Precision precision) {
        this.dense = Linear.load(w.prefix("dense"), c.hiddenSize(), c.intermediateSize(), precision);
    }

    /** y (T, intermediate) ← GELU(dense(x (T, hidden))); returns y. */
    public FloatTensor forward(Kernels k, FloatTensor x, FloatTensor y) {
        return dense.forwardGeluInto(k, x, y);
    }
}
