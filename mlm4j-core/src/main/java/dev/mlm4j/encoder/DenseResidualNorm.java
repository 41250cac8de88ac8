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
 * DistilBERT's block computes the same twice on layers its modules own ({@code sa_layer_norm(x + out_lin(ctx))},
 * {@code output_layer_norm(a + lin2(h))}): it builds this from the parts ({@link #DenseResidualNorm(Linear, LayerNorm)})
 * and names their gradients' scopes itself. DeBERTa's layer ({@code DebertaV2SelfOutput}, {@code DebertaV2Output}, the
 * same arithmetic under BERT's keys) trains on it the same way.
 */
final class DenseResidualNorm {
    private final Linear dense;        // in → hidden
    private final LayerNorm layerNorm;

    DenseResidualNorm(Weights w, int in, BertConfig c, Precision precision) {
        this(Linear.load(w.prefix("dense"), in, c.hiddenSize(), precision), LayerNorm.load(w.prefix("LayerNorm"), c.hiddenSize(), c.layerNormEps()));
    }

    /** From layers loaded (and registered as parameters) by their owners under their own keys. */
    DenseResidualNorm(Linear dense, LayerNorm layerNorm) {
        this.dense = dense;
        this.layerNorm = layerNorm;
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
        backward(k, x, sum, drop, dy, dx, dsum, g.prefix("dense"), g.prefix("LayerNorm"));
    }

    /** As above, the dense layer's gradients under {@code denseGrads} and the LayerNorm's under {@code normGrads}. */
    void backward(Kernels k, FloatTensor x, FloatTensor sum, DropoutMask drop, FloatTensor dy, FloatTensor dx, FloatTensor dsum,
                  Gradients denseGrads, Gradients normGrads) {
        layerNorm.backward(k, sum, dy, dsum, normGrads);
        FloatTensor ddense = dsum;
        if (!drop.isNone()) {
            ddense = dsum.copy();
            drop.apply(ddense);
        }
        dense.backward(k, x, ddense, dx, false, denseGrads);
    }

    void parameters(Parameters p) {
        dense.parameters(p.prefix("dense"));
        layerNorm.parameters(p.prefix("LayerNorm"));
    }
}
