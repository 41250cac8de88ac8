package dev.mlm4j.encoder;

import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.DropoutMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

/**
 * The body {@link BertSelfOutput} and {@link BertOutput} share, as transformers' two classes do line for line:
 * {@code LayerNorm(dense(x) + input)}, keys {@code {dense,LayerNorm}} under the caller's prefix. The two classes stay
 * (one per transformers module, each with its own keys and widths); only their arithmetic lives here, once.
 */
final class DenseResidualNorm {
    private final Linear dense;        // in → hidden
    private final LayerNorm layerNorm;

    DenseResidualNorm(Weights w, int in, BertConfig c, Precision precision) {
        this.dense = Linear.load(w.prefix("dense"), in, c.hiddenSize(), precision);
        this.layerNorm = LayerNorm.load(w.prefix("LayerNorm"), c.hiddenSize(), c.layerNormEps());
    }

    /** y (T, hidden) ← LayerNorm(dense(x (T, in)) + input (T, hidden)); returns y. */
    FloatTensor forward(Kernels k, FloatTensor x, FloatTensor input, FloatTensor y) {
        dense.forwardPlusInto(k, x, input, y);
        layerNorm.forward(k, y);
        return y;
    }

    /**
     * Training forward: {@code sum} ← dropout(dense(x)) + input (saved for the backward), y ← LayerNorm(sum); returns y.
     * Without dropout the residual is fused into the GEMM's store, as at inference.
     */
    FloatTensor forwardTraining(Kernels k, FloatTensor x, FloatTensor input, DropoutMask drop, FloatTensor sum, FloatTensor y) {
        if (drop.isNone()) {
            dense.forwardPlusInto(k, x, input, sum);
        } else {
            dense.forwardInto(k, x, sum);
            drop.apply(sum);
            k.add(sum, input);
        }
        LayerActivations.copy(sum, y);
        layerNorm.forward(k, y);
        return y;
    }

    /**
     * Backward: dy (T, hidden) at y → {@code dsum} (the residual input's gradient, written) and {@code dx} (written);
     * the dense's output gradient is dsum through the same dropout mask.
     */
    void backward(Kernels k, FloatTensor x, FloatTensor sum, DropoutMask drop, FloatTensor dy, FloatTensor dx, FloatTensor dsum, Gradients g) {
        layerNorm.backward(k, sum, dy, dsum, g.prefix("LayerNorm"));
        FloatTensor ddense = dsum;
        if (!drop.isNone()) {
            ddense = dsum.copy();
            drop.apply(ddense);
        }
        dense.backward(k, x, ddense, dx, false, g.prefix("dense"));
    }

    void parameters(Parameters p) {
        dense.parameters(p.prefix("dense"));
        layerNorm.parameters(p.prefix("LayerNorm"));
    }
}
