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
 * LayerNorm(dense(h) + input), intermediate → hidden: transformers' {@code BertOutput}; keys {@code output.{dense,LayerNorm}}.
 * The work is {@link DenseResidualNorm}'s; this class stays, delegating, so that the class tree is transformers' module tree (one
 * class per module, as its sibling {@code BertSelfOutput}) and a reader finds the module by its name.
 */
public final class BertOutput {
    private final DenseResidualNorm body;

    public BertOutput(Weights w, BertConfig c, Precision precision) {
        this.body = new DenseResidualNorm(w, c.intermediateSize(), c, precision);
    }

    /** y (T, hidden) ← LayerNorm(dense(intermediate (T, intermediate)) + input (T, hidden)); returns y. */
    public FloatTensor forward(Kernels k, FloatTensor intermediate, FloatTensor input, FloatTensor y) {
        return body.forward(k, intermediate, input, y);
    }

    /** Training forward: {@code sum} ← dropout(dense(intermediate) + input (saved), y ← LayerNorm(sum); returns y. */
    FloatTensor forwardTraining(Kernels k, FloatTensor intermediate, FloatTensor input, DropoutMask drop, FloatTensor sum, FloatTensor y) {
        return body.forwardTraining(k, intermediate, input, drop, sum, y);
    }

    /** Backward: dy (T, hidden) at y → {@code dsum} (the residual input's gradient, written) and {@code dintermediate} (written). */
    void backward(Kernels k, FloatTensor intermediate, FloatTensor sum, DropoutMask drop, FloatTensor dy, FloatTensor dintermediate, FloatTensor dsum, Gradients g) {
        body.backward(k, intermediate, sum, drop, dy, dintermediate, dsum, g);
    }

    void parameters(Parameters p) {
        body.parameters(p);
    }
}
