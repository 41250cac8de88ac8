package dev.mlm4j.encoder;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
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

    /** Training forward: {@code sum} ← dense(hidden) + input (saved), y ← LayerNorm(sum); returns y. */
    FloatTensor forwardTraining(Kernels k, FloatTensor hidden, FloatTensor input, FloatTensor sum, FloatTensor y) {
        dense.forwardPlusInto(k, hidden, input, sum);
        LayerActivations.copy(sum, y);
        layerNorm.forward(k, y);
        return y;
    }

    /** Backward: dy (T, hidden) at y → {@code dsum} (the residual input's gradient, written) and {@code dhidden} (written). */
    void backward(Kernels k, FloatTensor hidden, FloatTensor sum, FloatTensor dy, FloatTensor dhidden, FloatTensor dsum, Gradients g) {
        layerNorm.backward(k, sum, dy, dsum, g.prefix("LayerNorm"));
        dense.backward(k, hidden, dsum, dhidden, false, g.prefix("dense"));
    }
}
