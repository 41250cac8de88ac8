package dev.mlm4j.encoder;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.weights.Weights;

/** LayerNorm(dense(h) + input), intermediate → hidden: transformers' {@code BertOutput}; keys {@code output.{dense,LayerNorm}}. */
public final class BertOutput {
    private final Linear dense;        // intermediate → hidden
    private final LayerNorm layerNorm;

    public BertOutput(Weights w, BertConfig c, Precision precision) {
        this.dense = Linear.load(w.prefix("dense"), c.intermediateSize(), c.hiddenSize(), precision);
        this.layerNorm = LayerNorm.load(w.prefix("LayerNorm"), c.hiddenSize(), c.layerNormEps());
    }

    /** y (T, hidden) ← LayerNorm(dense(intermediate (T, intermediate)) + input (T, hidden)); returns y. */
    public FloatTensor forward(Kernels k, FloatTensor intermediate, FloatTensor input, FloatTensor y) {
        dense.forwardPlusInto(k, intermediate, input, y);
        layerNorm.forward(k, y);
        return y;
    }

    /** Training forward: {@code sum} ← dense(intermediate) + input (saved), y ← LayerNorm(sum); returns y. */
    FloatTensor forwardTraining(Kernels k, FloatTensor intermediate, FloatTensor input, FloatTensor sum, FloatTensor y) {
        dense.forwardPlusInto(k, intermediate, input, sum);
        LayerActivations.copy(sum, y);
        layerNorm.forward(k, y);
        return y;
    }

    /** Backward: dy (T, hidden) at y → {@code dsum} (the residual input's gradient, written) and {@code dintermediate} (written). */
    void backward(Kernels k, FloatTensor intermediate, FloatTensor sum, FloatTensor dy, FloatTensor dintermediate, FloatTensor dsum, Gradients g) {
        layerNorm.backward(k, sum, dy, dsum, g.prefix("LayerNorm"));
        dense.backward(k, intermediate, dsum, dintermediate, false, g.prefix("dense"));
    }
}
