package dev.mlm4j.model;

import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.layers.CrossEntropy;
import dev.mlm4j.config.Batch;
import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.weights.TensorInfo;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.WeightException;
import dev.mlm4j.weights.Weights;

/**
 * BertModel without its pooler + a linear classifier on every token: transformers' {@code BertForTokenClassification}
 * (keys {@code bert.*}, {@code classifier.weight} (labels, hidden), {@code classifier.bias} (labels)). Dropout is
 * the identity at inference. The classifier is kept in fp32 at any precision (it is hidden × labels, a few kB).
 */
public final class BertForTokenClassification implements TokenClassifier {
    private final BertModel bert;
    private final Linear classifier;

    public BertForTokenClassification(BertModel bert, Linear classifier) {
        this.bert = bert;
        this.classifier = classifier;
    }

    /** Loads the encoder (no pooler, as in transformers) and the classifier, checking the classifier's shapes. */
    public static BertForTokenClassification load(TensorSource source, BertConfig config, Precision precision) {
        TensorInfo w = source.info("classifier.weight");
        TensorInfo b = source.info("classifier.bias");
        if (w == null || b == null) {
            throw new WeightException("missing weight '" + (w == null ? "classifier.weight" : "classifier.bias") + "' in "
                    + source.origin() + ": not a complete BertForTokenClassification head");
        }
        int[] ws = w.shape(), bs = b.shape();
        if (ws.length != 2 || ws[1] != config.hiddenSize() || bs.length != 1 || bs[0] != ws[0]) {
            throw new WeightException("token-classification head in " + source.origin() + " has classifier.weight "
                    + java.util.Arrays.toString(ws) + " and classifier.bias " + java.util.Arrays.toString(bs)
                    + " but config.json's hidden_size " + config.hiddenSize() + " needs (labels, " + config.hiddenSize() + ") and (labels)");
        }
        Weights root = new Weights(source);
        BertModel bert = new BertModel(root.prefix("bert"), config, false, precision);
        return new BertForTokenClassification(bert, Linear.load(root.prefix("classifier"), config.hiddenSize(), ws[0], Precision.FP32));
    }

    /** Whether a checkpoint carries a classifier ({@code classifier.*}); a partial one is loaded and {@link #load} names what is missing. */
    public static boolean hasHead(TensorSource source) {
        return source.containsAnyUnder("classifier.");
    }

    @Override
    public BertModel encoder() {
        return bert;
    }

    @Override
    public int numLabels() {
        return classifier.out();
    }

    @Override
    public FloatTensor logits(EncoderOutput output) {
        return classifier.forward(Kernels.get(), output.lastHiddenState());
    }

    /**
     * One forward and backward pass of token classification, as transformers' {@code BertForTokenClassification(labels=…)}
     * with dropout 0: the mean cross-entropy over the tokens whose label is not −100 (special tokens, continuation word
     * pieces), and every parameter's gradient accumulated into {@code g} under transformers' names.
     *
     * @param labels (T) one per packed token, or {@link CrossEntropy#IGNORE_INDEX}
     */
    public double lossAndGradients(Kernels k, Batch batch, int[] labels, Gradients g) {
        if (labels.length != batch.tokens()) throw new IllegalArgumentException(labels.length + " labels for " + batch.tokens() + " tokens");
        TrainingState s = new TrainingState(batch, bert.config());
        FloatTensor last = bert.forwardTraining(k, s, AttentionMask.BIDIRECTIONAL);     // (T, hidden)
        FloatTensor logits = classifier.forward(k, last);                               // (T, labels)
        FloatTensor dlogits = FloatTensor.zeros(last.dim(0), classifier.out());
        double loss = CrossEntropy.lossAndGradient(logits, labels, dlogits);
        FloatTensor dLast = FloatTensor.zeros(last.dim(0), last.dim(1));
        classifier.backward(k, last, dlogits, dLast, false, g.prefix("classifier"));
        bert.backward(k, s, dLast, g.prefix("bert"));
        return loss;
    }
}
