package dev.mlm4j.heads;

import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * gelu(dense(h_[CLS])): transformers' DeBERTa {@code ContextPooler} ({@code pooler_hidden_act} "gelu", the only one
 * mlm4j's config reader accepts; the dropout is the identity at inference); key {@code pooler.dense}. With the
 * classifier after it, it trains as a {@link ClassificationHead} of dense + GELU ({@link #withClassifier}).
 */
public final class ContextPooler implements Transform {
    private final Linear dense; // hidden → pooler_hidden_size (= hidden)

    public ContextPooler(Weights w, int hidden, Precision precision) {
        this.dense = Linear.load(w.prefix("dense"), hidden, hidden, precision);
    }

    /**
     * This pooler and {@code classifier} (hidden → labels) as one trainable head, DeBERTa's
     * {@code classifier(dropout(gelu(dense(dropout(h[CLS])))))}: the first dropout is {@code pooler_dropout}, which
     * DeBERTa's configs set to 0 and mlm4j leaves out; the second the classifier's ({@code cls_dropout}, else
     * hidden_dropout_prob; mlm4j's classifier rate).
     */
    public ClassificationHead withClassifier(Linear classifier) {
        return new ClassificationHead(dense, ClassificationHead.Activation.GELU, classifier, ClassificationHead.DropoutSites.HIDDEN);
    }

    /** cls (n, hidden) → (n, hidden). */
    @Override
    public FloatTensor forward(Kernels k, FloatTensor cls) {
        return dense.forwardGelu(k, cls);
    }
}
