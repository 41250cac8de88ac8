package dev.mlm4j.model;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.kernels.DropoutMask;
import dev.mlm4j.layers.CrossEntropy;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.heads.ModernBertPredictionHead;
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
public final class TokenClassifierModel implements TokenClassifier, QuestionAnswerer, Trainable {
    private final Encoder encoder;
    private final Transform transform;
    private final Linear classifier;
    private final String key;           // the classifier's: classifier, qa_outputs
    private final boolean spans;        // a question-answering head (start and end logits), not a token classifier

    private TokenClassifierModel(Encoder encoder, Transform transform, Linear classifier, String key, boolean spans) {
        this.encoder = encoder;
        this.transform = transform;
        this.classifier = classifier;
        this.key = key;
        this.spans = spans;
    }

    /** The token classifier under key {@code classifier}, its shapes checked in one-line errors. */
    public static TokenClassifierModel tokenClassifier(TensorSource source, Encoder encoder) {
        return tokenClassifier(source, encoder, Transform.IDENTITY);
    }

    /** As {@link #tokenClassifier(TensorSource, Encoder)}, {@code transform} run on every token first. */
    public static TokenClassifierModel tokenClassifier(TensorSource source, Encoder encoder, Transform transform) {
        int hidden = encoder.config().hiddenSize();
        int labels = BertWithClassifier.labels(source, "classifier", hidden, "token-classification");
        return new TokenClassifierModel(encoder, transform, BertWithClassifier.linear(source, "classifier", hidden, labels), "classifier", false);
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
        return new TokenClassifierModel(encoder, transform, BertWithClassifier.linear(source, key, hidden, 2), key, true);
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

    // ---- training ------------------------------------------------------------------------------------------

    /**
     * The encoder, when this model trains as a token classifier (no transform, or ModernBERT's prediction head); else a
     * one-line refusal.
     */
    private TrainableEncoder trainableEncoder() {
        TrainableEncoder e = TrainableEncoder.of(encoder);
        if (spans || !(transform == Transform.IDENTITY || transform instanceof ModernBertPredictionHead)) {
            throw new IllegalArgumentException("this " + (spans ? "question-answering head" : "token classifier's head")
                    + " on " + encoder.getClass().getSimpleName() + " has no backward pass yet");
        }
        return e;
    }

    /** ModernBERT's prediction head ({@code head.*}), which runs on every token before the classifier; null for the other families. */
    private ModernBertPredictionHead prediction() {
        return transform instanceof ModernBertPredictionHead p ? p : null;
    }

    /**
     * One forward and backward pass of token classification, as transformers' {@code RobertaForTokenClassification(labels=…)}:
     * dropout on every token's vector, the classifier, the mean cross-entropy over the tokens whose label is not −100,
     * every parameter's gradient accumulated into {@code g} under transformers' names.
     *
     * @param labels (T) one per packed token, or {@link CrossEntropy#IGNORE_INDEX}
     */
    @Override
    public double lossAndGradients(Kernels k, Batch batch, int[] labels, Gradients g, Dropout dropout) {
        TrainableEncoder e = trainableEncoder();
        if (labels.length != batch.tokens()) throw new IllegalArgumentException(labels.length + " labels for " + batch.tokens() + " tokens");
        TrainingState s = e.trainingState(batch, dropout);
        FloatTensor last = e.forwardTraining(k, s, AttentionMask.BIDIRECTIONAL);        // (T, hidden)
        ModernBertPredictionHead p = prediction();
        int t = last.dim(0), h = last.dim(1);
        FloatTensor pre = p == null ? null : FloatTensor.zeros(t, h), act = p == null ? null : FloatTensor.zeros(t, h);
        FloatTensor headOut = p == null ? last : p.forwardTraining(k, last, pre, act);   // ModernBERT: head(last_hidden_state)
        DropoutMask drop = dropout.classifierInput();
        FloatTensor x = drop.isNone() || p != null ? headOut : headOut.copy();          // dropout(sequence_output)
        drop.apply(x);
        FloatTensor logits = classifier.forward(k, x);
        FloatTensor dlogits = FloatTensor.zeros(logits.dim(0), logits.dim(1));
        double loss = CrossEntropy.lossAndGradient(k, logits, labels, dlogits);
        FloatTensor dx = FloatTensor.zeros(t, h);
        classifier.backward(k, x, dlogits, dx, false, g.prefix(key));
        drop.apply(dx);
        FloatTensor dLast = dx;
        if (p != null) {
            dLast = FloatTensor.zeros(t, h);
            p.backward(k, last, pre, act, dx, dLast, g.prefix("head"));
        }
        e.backward(k, s, dLast, g.prefix(e.scope()));
        return loss;
    }

    /** Every trainable parameter by transformers' name ({@code roberta.…}, {@code classifier.…}; ModernBERT's {@code model.…}, {@code head.…}, {@code classifier.…}). */
    @Override
    public Parameters parameters() {
        TrainableEncoder e = trainableEncoder();
        Parameters p = new Parameters();
        e.parameters(p.prefix(e.scope()));
        if (prediction() != null) prediction().parameters(p.prefix("head"));
        classifier.parameters(p.prefix(key));
        return p;
    }
}
