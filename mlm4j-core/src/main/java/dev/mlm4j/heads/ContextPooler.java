package dev.mlm4j.heads;

import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * gelu(dense(h_[CLS])): transformers' DeBERTa {@code ContextPooler} ({@code pooler_hidden_act} "gelu", the only one
 * mlm4j's config reader accepts; the dropout is the identity at inference); key {@code pooler.dense}.
 */
public final class ContextPooler implements Transform {
    private final Linear dense; // hidden → pooler_hidden_size (= hidden)

    public ContextPooler(Weights w, int hidden, Precision precision) {
        this.dense = Linear.load(w.prefix("dense"), hidden, hidden, precision);
    }

    /** cls (n, hidden) → (n, hidden). */
    @Override
    public FloatTensor forward(Kernels k, FloatTensor cls) {
        return dense.forwardGelu(k, cls);
    }
}
