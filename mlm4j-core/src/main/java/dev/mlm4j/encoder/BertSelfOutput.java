package dev.mlm4j.encoder;

import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.DropoutMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

/**
 * LayerNorm(dense(h) + input), hidden → hidden: transformers' {@code BertSelfOutput}; keys {@code attention.output.{dense,LayerNorm}}.
 * The work is {@link DenseResidualNorm}'s; this class stays, delegating, so that the class tree is transformers' module tree (one
 * class per module, as its sibling {@code BertOutput}) and a reader finds the module by its name.
 */
public final class BertSelfOutput {
    private final DenseResidualNorm body;

    public BertSelfOutput(Weights w, BertConfig c, Precision precision) {
        this.body = new DenseResidualNorm(w, c.hiddenSize(), c, precision);
    }

    /** y (T, hidden) ← LayerNorm(dense(hidden (T, hidden)) + input (T, hidden)); returns y. */
    public FloatTensor forward(Kernels k, FloatTensor hidden, FloatTensor input, FloatTensor y) {
        return body.forward(k, hidden, input, y);
    }

    /** Training forward: {@code sum} ← dropout(dense(hidden) + input (saved), y ← LayerNorm(sum); returns y. */
    FloatTensor forwardTraining(Kernels k, FloatTensor hidden, FloatTensor input, DropoutMask drop, FloatTensor sum, FloatTensor y) {
        return body.forwardTraining(k, hidden, input, drop, sum, y);
    }

    /** Backward: dy (T, hidden) at y → {@code dsum} (the residual input's gradient, written) and {@code dhidden} (written). */
    void backward(Kernels k, FloatTensor hidden, FloatTensor sum, DropoutMask drop, FloatTensor dy, FloatTensor dhidden, FloatTensor dsum, Gradients g) {
        body.backward(k, hidden, sum, drop, dy, dhidden, dsum, g);
    }

    void parameters(Parameters p) {
        body.parameters(p);
    }
}
