package dev.mlm4j.model;

import dev.mlm4j.config.Precision;
import dev.mlm4j.heads.ClassificationHead;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.Weights;

/**
 * An encoder and a {@link ClassificationHead} on each sequence's first token: transformers'
 * {@code RobertaForSequenceClassification} / {@code XLMRobertaForSequenceClassification} (tanh),
 * {@code ElectraForSequenceClassification} (GELU) and {@code DistilBertForSequenceClassification} (ReLU) — BERT's, with
 * its pooler, is {@link BertForSequenceClassification}. The head is kept in fp32 at any precision.
 */
public final class SequenceClassifierModel implements SequenceClassifier {
    private final Encoder encoder;
    private final ClassificationHead head;

    public SequenceClassifierModel(Encoder encoder, ClassificationHead head) {
        this.encoder = encoder;
        this.head = head;
    }

    /**
     * Loads the head from keys {@code dense} (hidden → hidden) and {@code out} (hidden → labels), their shapes checked in
     * one-line errors, on {@code encoder}.
     */
    public static SequenceClassifierModel load(TensorSource source, Encoder encoder, String dense, ClassificationHead.Activation activation, String out) {
        int hidden = encoder.config().hiddenSize();
        String what = "sequence-classification";
        int denseOut = BertWithClassifier.labels(source, dense, hidden, what);
        if (denseOut != hidden) {
            throw new dev.mlm4j.weights.WeightException(dense + ".weight in " + source.origin() + " has " + denseOut
                    + " rows but the classification head needs " + hidden + " (hidden_size)");
        }
        int labels = BertWithClassifier.labels(source, out, hidden, what);
        Weights w = new Weights(source);
        return new SequenceClassifierModel(encoder, new ClassificationHead(
                dev.mlm4j.layers.Linear.load(w.prefix(dense), hidden, hidden, Precision.FP32), activation,
                dev.mlm4j.layers.Linear.load(w.prefix(out), hidden, labels, Precision.FP32)));
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
        return head.forward(k, output.firstTokens());
    }
}
