package dev.mlm4j.model;

import dev.mlm4j.kernels.DropoutMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.config.ProblemType;
import dev.mlm4j.layers.BinaryCrossEntropyWithLogits;
import dev.mlm4j.layers.CrossEntropy;
import dev.mlm4j.layers.MeanSquaredError;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.config.Precision;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.weights.TensorInfo;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.WeightException;
import dev.mlm4j.weights.Weights;

import java.util.Arrays;

/**
 * What transformers' classifier models on BertModel share ({@link BertForSequenceClassification},
 * {@link BertForTokenClassification}; a QA head's {@code qa_outputs} is the same kind of layer): the encoder and a
 * {@code Linear} hidden → labels, its shapes checked against the encoder in one wording, kept in fp32 at any
 * precision (a few rows). Each subclass stays transformers' class: its own keys, pooler or not, and logits.
 */
abstract class BertWithClassifier {
    final BertModel bert;
    final Linear classifier;

    BertWithClassifier(BertModel bert, Linear classifier) {
        this.bert = bert;
        this.classifier = classifier;
    }

    public BertModel encoder() {
        return bert;
    }

    public int numLabels() {
        return classifier.out();
    }

    /** Whether a checkpoint carries a classifier: any {@code classifier.*} tensor (a partial one is then named by the load). */
    public static boolean hasHead(TensorSource source) {
        return source.containsAnyUnder("classifier.");
    }

    /**
     * The number of labels of the {@code key} layer ({@code key.weight} (labels, hidden), {@code key.bias} (labels)),
     * or a one-line {@link WeightException} naming the missing tensor or the shape that disagrees; {@code head} names
     * the head in the message, e.g. "sequence-classification".
     */
    static int labels(TensorSource source, String key, int hidden, String head) {
        TensorInfo w = source.info(key + ".weight");
        TensorInfo b = source.info(key + ".bias");
        if (w == null || b == null) {
            throw new WeightException("missing weight '" + key + (w == null ? ".weight" : ".bias") + "' in "
                    + source.origin() + ": the " + head + " head is incomplete");
        }
        if (w.shape().length != 2 || w.shape()[1] != hidden || w.shape()[0] <= 0) {
            throw new WeightException(key + ".weight in " + source.origin() + " has shape " + Arrays.toString(w.shape())
                    + " but the encoder needs [num_labels, " + hidden + "] (hidden_size " + hidden + ")");
        }
        int labels = w.shape()[0];
        if (b.shape().length != 1 || b.shape()[0] != labels) {
            throw new WeightException(key + ".bias in " + source.origin() + " has shape " + Arrays.toString(b.shape())
                    + " but " + key + ".weight has shape " + Arrays.toString(w.shape()) + " (expected [" + labels + "])");
        }
        return labels;
    }

    /** The {@code key} layer, hidden → labels, in fp32 whatever the encoder's precision. */
    static Linear linear(TensorSource source, String key, int hidden, int labels) {
        return Linear.load(new Weights(source).prefix(key), hidden, labels, Precision.FP32);
    }

    /**
     * The classifier's part of a training step, as transformers writes it after the encoder: {@code x} (rows, hidden),
     * the rows the classifier reads → dropout {@code drop} → classifier → mean cross-entropy against {@code labels} (one
     * per row, −100 skips one), then back: the classifier's gradients under {@code g}'s {@code classifier}, the gradient
     * at {@code x} into {@code dx} (rows, hidden; zeroed by the caller). {@code x} is left as it was. Returns the loss.
     */
    double classifierLossAndGradient(Kernels k, FloatTensor x, int[] labels, DropoutMask drop, FloatTensor dx, Gradients g) {
        return classifierLossAndGradient(k, x, drop, dx, g, (logits, dlogits) -> CrossEntropy.lossAndGradient(k, logits, labels, dlogits));
    }

    /**
     * As above with float {@code targets} (rows × labels, row-major) under {@code problem}'s loss, as transformers'
     * {@code BertForSequenceClassification.forward}: regression → {@link MeanSquaredError}, multi-label →
     * {@link BinaryCrossEntropyWithLogits}. Single-label takes class ids, not floats.
     */
    double classifierLossAndGradient(Kernels k, FloatTensor x, float[] targets, ProblemType problem, DropoutMask drop, FloatTensor dx, Gradients g) {
        return classifierLossAndGradient(k, x, drop, dx, g, switch (problem) {
            case REGRESSION -> (logits, dlogits) -> MeanSquaredError.lossAndGradient(logits, targets, dlogits);
            case MULTI_LABEL_CLASSIFICATION -> (logits, dlogits) -> BinaryCrossEntropyWithLogits.lossAndGradient(logits, targets, dlogits);
            case SINGLE_LABEL_CLASSIFICATION -> throw new IllegalArgumentException("single-label classification trains on class ids, not float targets");
        });
    }

    /** A loss on the classifier's logits (rows, labels): returns it and writes its gradient into dlogits. */
    private interface Loss {
        double lossAndGradient(FloatTensor logits, FloatTensor dlogits);
    }

    private double classifierLossAndGradient(Kernels k, FloatTensor x, DropoutMask drop, FloatTensor dx, Gradients g, Loss loss) {
        FloatTensor dropped = drop.isNone() ? x : x.copy();
        drop.apply(dropped);
        FloatTensor logits = classifier.forward(k, dropped);                            // (rows, labels)
        FloatTensor dlogits = FloatTensor.zeros(x.dim(0), classifier.out());
        double value = loss.lossAndGradient(logits, dlogits);
        classifier.backward(k, dropped, dlogits, dx, false, g.prefix("classifier"));
        drop.apply(dx);
        return value;
    }

    /**
     * Every trainable parameter by transformers' name ({@code bert.…}, {@code classifier.…}), the tensors the forward
     * reads, for an optimiser to update in place. An int8 encoder refuses.
     */
    public Parameters parameters() {
        Parameters p = new Parameters();
        bert.parameters(p.prefix("bert"));
        classifier.parameters(p.prefix("classifier"));
        return p;
    }
}
