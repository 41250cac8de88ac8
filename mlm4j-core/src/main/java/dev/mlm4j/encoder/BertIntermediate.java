package dev.mlm4j.encoder;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
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

    /** Training forward: {@code pre} ← dense(x) (saved), y ← GELU(pre); returns y. */
    FloatTensor forwardTraining(Kernels k, FloatTensor x, FloatTensor pre, FloatTensor y) {
        return forwardTraining(k, dense, x, pre, y);
    }

    /** Backward: dy (T, intermediate) at GELU's output (overwritten with the gradient at pre) → dx (T, hidden) {@code +=}. */
    void backward(Kernels k, FloatTensor x, FloatTensor pre, FloatTensor dy, FloatTensor dx, Gradients g) {
        backward(k, dense, x, pre, dy, dx, g.prefix("dense"));
    }

    /** {@code pre} ← layer(x) (saved), y ← GELU(pre); returns y: this module's training forward on any dense layer (DistilBERT's {@code ffn.lin1}). */
    static FloatTensor forwardTraining(Kernels k, Linear layer, FloatTensor x, FloatTensor pre, FloatTensor y) {
        layer.forwardInto(k, x, pre);
        k.gelu(pre, y);
        return y;
    }

    /** The backward of {@link #forwardTraining(Kernels, Linear, FloatTensor, FloatTensor, FloatTensor)}: dy overwritten, dx {@code +=}, the layer's gradients under {@code g}. */
    static void backward(Kernels k, Linear layer, FloatTensor x, FloatTensor pre, FloatTensor dy, FloatTensor dx, Gradients g) {
        k.geluBackward(pre, dy);
        layer.backward(k, x, dy, dx, true, g);
    }

    void parameters(Parameters p) {
        dense.parameters(p.prefix("dense"));
    }
}
