package dev.mlm4j.encoder;

import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/** LayerNorm(dense(h) + input), hidden → hidden: transformers' {@code BertSelfOutput}; keys {@code attention.output.{dense,LayerNorm}}. */
public final class BertSelfOutput {
    private final DenseResidualNorm body;

    public BertSelfOutput(Weights w, BertConfig c, Precision precision) {
        this.body = new DenseResidualNorm(w, c.hiddenSize(), c, precision);
    }

    /** y (T, hidden) ← LayerNorm(dense(hidden (T, hidden)) + input (T, hidden)); returns y. */
    public FloatTensor forward(Kernels k, FloatTensor hidden, FloatTensor input, FloatTensor y) {
        return body.forward(k, hidden, input, y);
    }
}
