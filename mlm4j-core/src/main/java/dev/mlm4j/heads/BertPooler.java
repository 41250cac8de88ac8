package dev.mlm4j.heads;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.tensor.FloatTensor;
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
}
