package dev.mlm4j.heads;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

/** tanh(dense(h_[CLS])): transformers' {@code BertPooler}; key {@code bert.pooler.dense}. */
public final class BertPooler {
    private final Linear dense; // hidden → hidden

    public BertPooler(Weights w, BertConfig c, Precision precision) {
        this.dense = Linear.load(w.prefix("dense"), c.hiddenSize(), c.hiddenSize(), precision);
    }

    /** cls (n, hidden) → (n, hidden). */
    public FloatTensor forward(Kernels k, FloatTensor cls) {
        FloatTensor y = dense.forward(k, cls);
        float[] d = y.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) Math.tanh(d[i]);
        return y;
    }

    /**
     * Backward of {@link #forward} from its output y (n, hidden) (tanh' = 1 − y², so y is all it needs): dy → dcls
     * (n, hidden), written; the dense layer's gradients under {@code g} (this pooler's scope).
     */
    public void backward(Kernels k, FloatTensor cls, FloatTensor y, FloatTensor dy, FloatTensor dcls, Gradients g) {
        FloatTensor dpre = FloatTensor.zeros(y.dim(0), y.dim(1));
        for (int i = 0; i < y.dim(0); i++) {
            for (int j = 0; j < y.dim(1); j++) {
                float t = y.at(i, j);
                dpre.data()[i * y.dim(1) + j] = dy.at(i, j) * (1 - t * t);
            }
        }
        dense.backward(k, cls, dpre, dcls, false, g.prefix("dense"));
    }

    public void parameters(Parameters p) {
        dense.parameters(p.prefix("dense"));
    }
}
