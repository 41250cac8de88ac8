package dev.mlm4j.model;

import dev.mlm4j.heads.Transform;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.WeightException;

/**
 * An encoder and one linear layer on every token's vector: transformers' {@code RobertaForTokenClassification},
 * {@code XLMRobertaForTokenClassification}, {@code ElectraForTokenClassification}, {@code DistilBertForTokenClassification},
 * {@code DebertaV2ForTokenClassification} ({@code classifier}) and, with two outputs (start, end), their
 * {@code …ForQuestionAnswering} ({@code qa_outputs}); ModernBERT's run its prediction head ({@code head}) first, a
 * {@link Transform}, and name both layers {@code classifier}. They differ from BERT's only in the encoder under them.
 * The layer is kept in fp32 at any precision.
 */
public final class TokenClassifierModel implements TokenClassifier, QuestionAnswerer {
    private final Encoder encoder;
    private final Transform transform;
    private final Linear classifier;

    private TokenClassifierModel(Encoder encoder, Transform transform, Linear classifier) {
        this.encoder = encoder;
        this.transform = transform;
        this.classifier = classifier;
    }

    /** The token classifier under key {@code classifier}, its shapes checked in one-line errors. */
    public static TokenClassifierModel tokenClassifier(TensorSource source, Encoder encoder) {
        return tokenClassifier(source, encoder, Transform.IDENTITY);
    }

    /** As {@link #tokenClassifier(TensorSource, Encoder)}, {@code transform} run on every token first. */
    public static TokenClassifierModel tokenClassifier(TensorSource source, Encoder encoder, Transform transform) {
        int hidden = encoder.config().hiddenSize();
        int labels = BertWithClassifier.labels(source, "classifier", hidden, "token-classification");
        return new TokenClassifierModel(encoder, transform, BertWithClassifier.linear(source, "classifier", hidden, labels));
    }

    /** The span head under key {@code qa_outputs}: two logits per token, else a one-line error. */
    public static TokenClassifierModel questionAnswerer(TensorSource source, Encoder encoder) {
        return questionAnswerer(source, encoder, "qa_outputs", Transform.IDENTITY);
    }

    /** The span head under {@code key}, {@code transform} run on every token first. */
    public static TokenClassifierModel questionAnswerer(TensorSource source, Encoder encoder, String key, Transform transform) {
        int hidden = encoder.config().hiddenSize();
        int labels = BertWithClassifier.labels(source, key, hidden, "question-answering");
        if (labels != 2) {
            throw new WeightException(key + ".weight in " + source.origin() + " gives " + labels
                    + " logits per token but question answering needs 2 (start and end)");
        }
        return new TokenClassifierModel(encoder, transform, BertWithClassifier.linear(source, key, hidden, 2));
    }

    @Override
    public Encoder encoder() {
        return encoder;
    }

    @Override
    public int numLabels() {
        return classifier.out();
    }

    /** Logits (T, labels) for every packed token. */
    @Override
    public FloatTensor logits(EncoderOutput output) {
        return logits(Kernels.get(), output);
    }

    /** As a span head: (T, 2), column 0 the start and column 1 the end logit. */
    @Override
    public FloatTensor logits(Kernels k, EncoderOutput output) {
        return classifier.forward(k, transform.forward(k, output.lastHiddenState()));
    }
}
