package dev.mlm4j.model;

import dev.mlm4j.config.Precision;
import dev.mlm4j.heads.ClassificationHead;
import dev.mlm4j.heads.Transform;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.WeightException;
import dev.mlm4j.weights.Weights;

/**
 * An encoder and a {@link ClassificationHead} on each sequence's pooled vector: transformers'
 * {@code RobertaForSequenceClassification} / {@code XLMRobertaForSequenceClassification} (tanh),
 * {@code ElectraForSequenceClassification} (GELU), {@code DistilBertForSequenceClassification} (ReLU),
 * {@code DebertaV2ForSequenceClassification} (its {@code ContextPooler}, then {@code classifier}) and
 * {@code ModernBertForSequenceClassification} (the first token or the mean, its prediction head, then
 * {@code classifier}) — BERT's, with its pooler, is {@link BertForSequenceClassification}. Each family's registration
 * names the keys. The last layer is kept in fp32 at any precision.
 */
public final class SequenceClassifierModel implements SequenceClassifier {

    /** Which vector of a sequence the head reads. */
    public enum Pooling {
        /** The first token's ([CLS], {@code <s>}). */
        FIRST,
        /** The mean over the sequence's tokens (ModernBERT's {@code classifier_pooling} "mean"). */
        MEAN
    }

    private final Encoder encoder;
    private final Pooling pooling;
    private final ClassificationHead head;

    public SequenceClassifierModel(Encoder encoder, ClassificationHead head) {
        this(encoder, Pooling.FIRST, head);
    }

    public SequenceClassifierModel(Encoder encoder, Pooling pooling, ClassificationHead head) {
        this.encoder = encoder;
        this.pooling = pooling;
        this.head = head;
    }

    /**
     * Loads the head from keys {@code dense} (hidden → hidden) and {@code out} (hidden → labels), their shapes checked in
     * one-line errors, on {@code encoder}.
     */
    public static SequenceClassifierModel load(TensorSource source, Encoder encoder, String dense, ClassificationHead.Activation activation, String out) {
        int hidden = encoder.config().hiddenSize();
        int denseOut = BertWithClassifier.labels(source, dense, hidden, "sequence-classification");
        if (denseOut != hidden) {
            throw new WeightException(dense + ".weight in " + source.origin() + " has " + denseOut
                    + " rows but the classification head needs " + hidden + " (hidden_size)");
        }
        Linear d = Linear.load(new Weights(source).prefix(dense), hidden, hidden, Precision.FP32);
        return new SequenceClassifierModel(encoder, new ClassificationHead(d, activation, last(source, encoder, out)));
    }

    /**
     * The family's own {@code transform} on the {@code pooling} vector, then the linear layer {@code classifier}
     * (hidden → labels, its shapes checked in one-line errors), on {@code encoder}.
     */
    public static SequenceClassifierModel load(TensorSource source, Encoder encoder, Pooling pooling, Transform transform, String classifier) {
        return new SequenceClassifierModel(encoder, pooling, new ClassificationHead(transform, last(source, encoder, classifier)));
    }

    private static Linear last(TensorSource source, Encoder encoder, String key) {
        int hidden = encoder.config().hiddenSize();
        return BertWithClassifier.linear(source, key, hidden, BertWithClassifier.labels(source, key, hidden, "sequence-classification"));
    }

    @Override
    public Encoder encoder() {
        return encoder;
    }

    @Override
    public int numLabels() {
        return head.numLabels();
    }

    @Override
    public FloatTensor logits(Kernels k, EncoderOutput output) {
        return head.forward(k, pooling == Pooling.MEAN ? output.meanTokens() : output.firstTokens());
    }
}
