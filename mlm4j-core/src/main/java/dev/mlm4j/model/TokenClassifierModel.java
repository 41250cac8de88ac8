package dev.mlm4j.model;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorSource;

/**
 * An encoder and one linear layer on every token's vector: transformers' {@code RobertaForTokenClassification},
 * {@code XLMRobertaForTokenClassification}, {@code ElectraForTokenClassification}, {@code DistilBertForTokenClassification}
 * ({@code classifier}) and, with two outputs (start, end), their {@code …ForQuestionAnswering} ({@code qa_outputs}). They
 * differ from BERT's only in the encoder under them. The layer is kept in fp32 at any precision.
 */
public final class TokenClassifierModel implements TokenClassifier, QuestionAnswerer {
    private final Encoder encoder;
    private final Linear classifier;

    private TokenClassifierModel(Encoder encoder, Linear classifier) {
        this.encoder = encoder;
        this.classifier = classifier;
    }

    /** The token classifier under key {@code classifier}, its shapes checked in one-line errors. */
    public static TokenClassifierModel tokenClassifier(TensorSource source, Encoder encoder) {
        int hidden = encoder.config().hiddenSize();
        int labels = BertWithClassifier.labels(source, "classifier", hidden, "token-classification");
        return new TokenClassifierModel(encoder, BertWithClassifier.linear(source, "classifier", hidden, labels));
    }

    /** The span head under key {@code qa_outputs}: two logits per token, else a one-line error. */
    public static TokenClassifierModel questionAnswerer(TensorSource source, Encoder encoder) {
        int hidden = encoder.config().hiddenSize();
        int labels = BertWithClassifier.labels(source, "qa_outputs", hidden, "question-answering");
        if (labels != 2) {
            throw new dev.mlm4j.weights.WeightException("qa_outputs.weight in " + source.origin() + " gives " + labels
                    + " logits per token but question answering needs 2 (start and end)");
        }
        return new TokenClassifierModel(encoder, BertWithClassifier.linear(source, "qa_outputs", hidden, 2));
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
        return classifier.forward(Kernels.get(), output.lastHiddenState());
    }

    /** As a span head: (T, 2), column 0 the start and column 1 the end logit. */
    @Override
    public FloatTensor logits(Kernels k, EncoderOutput output) {
        return classifier.forward(k, output.lastHiddenState());
    }
}
