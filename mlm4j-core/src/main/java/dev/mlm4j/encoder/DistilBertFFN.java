package dev.mlm4j.encoder;

import dev.mlm4j.config.DistilBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

/**
 * transformers' DistilBERT {@code FFN}: {@code dropout(lin2(gelu(lin1(x))))}, keys {@code {lin1,lin2}}; the residual is
 * added here at inference. In training {@code lin1} and GELU run here and the block runs {@code lin2}, the dropout, the
 * residual and {@code output_layer_norm} as one {@link DenseResidualNorm} (BERT's intermediate/output split).
 */
public final class DistilBertFFN {
    private final Linear lin1; // dim → hidden_dim
    private final Linear lin2; // hidden_dim → dim

    public DistilBertFFN(Weights w, DistilBertConfig c, Precision precision) {
        this.lin1 = Linear.load(w.prefix("lin1"), c.dim(), c.hiddenDim(), precision);
        this.lin2 = Linear.load(w.prefix("lin2"), c.hiddenDim(), c.dim(), precision);
    }

    /** y (T, dim) ← x + lin2(gelu(lin1(x))), through the state's (T, hidden_dim) buffer; returns y. */
    FloatTensor forward(Kernels k, FloatTensor x, LayerState s, FloatTensor y) {
        return lin2.forwardPlusInto(k, lin1.forwardGeluInto(k, x, s.inter(x.dim(0))), x, y);
    }

    /** {@code lin2}, which the block's training runs with the dropout, the residual and {@code output_layer_norm}. */
    Linear lin2() {
        return lin2;
    }

    /** Training forward of the first half: {@code pre} (T, hidden_dim) ← lin1(x) (saved), y ← gelu(pre); returns y. */
    FloatTensor forwardTraining(Kernels k, FloatTensor x, FloatTensor pre, FloatTensor y) {
        return BertIntermediate.forwardTraining(k, lin1, x, pre, y);        // BERT's intermediate on lin1
    }

    /** Backward of the first half: dy (T, hidden_dim) at GELU's output (overwritten with the gradient at pre) → dx (T, dim) {@code +=}; lin1's gradients under {@code g}. */
    void backward(Kernels k, FloatTensor x, FloatTensor pre, FloatTensor dy, FloatTensor dx, Gradients g) {
        BertIntermediate.backward(k, lin1, x, pre, dy, dx, g.prefix("lin1"));
    }

    void parameters(Parameters p) {
        lin1.parameters(p.prefix("lin1"));
        lin2.parameters(p.prefix("lin2"));
    }
}
