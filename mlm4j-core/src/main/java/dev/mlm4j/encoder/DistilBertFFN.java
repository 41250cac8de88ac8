package dev.mlm4j.encoder;

import dev.mlm4j.config.DistilBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/** transformers' DistilBERT {@code FFN}: {@code lin2(gelu(lin1(x)))}, keys {@code {lin1,lin2}}; the residual is added here. */
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
}
