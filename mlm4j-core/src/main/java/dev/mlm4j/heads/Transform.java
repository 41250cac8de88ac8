package dev.mlm4j.heads;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;

/**
 * The module a task head runs on hidden vectors before its last linear layer (n, hidden) → (n, hidden): DeBERTa's
 * {@link ContextPooler}, ModernBERT's {@link ModernBertPredictionHead}, RoBERTa's dense and tanh. What lets one
 * classifier model ({@code model.SequenceClassifierModel}, {@code model.TokenClassifierModel}) serve every family.
 */
@FunctionalInterface
public interface Transform {
    /** None: the classifier reads the encoder's vectors as they are (transformers' {@code *ForTokenClassification}). */
    Transform IDENTITY = (k, x) -> x;

    /** x (n, hidden) → (n, hidden); a new tensor unless this is {@link #IDENTITY}. */
    FloatTensor forward(Kernels k, FloatTensor x);
}
