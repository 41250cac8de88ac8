package dev.mlm4j.model;

import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.heads.BertPooler;
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

import java.util.Arrays;

/**
 * BertModel (with its pooler) + a linear classifier: transformers' {@code BertForSequenceClassification}
 * (keys {@code bert.*}, {@code classifier.weight} (num_labels, hidden), {@code classifier.bias}). At inference the
 * dropout is the identity, so logits = classifier(tanh(pooler.dense(h[CLS]))).
 */
public final class BertForSequenceClassification implements SequenceClassifier {
    private final BertModel bert;
    private final Linear classifier;

    public BertForSequenceClassification(BertModel bert, Linear classifier) {
        if (bert.pooler() == null) throw new IllegalArgumentException("BertForSequenceClassification needs the encoder's pooler");
        this.bert = bert;
        this.classifier = classifier;
    }

    /** Whether a checkpoint carries a classifier: any {@code classifier.*} tensor (a broken one is then named by {@link #load}). */
    public static boolean hasHead(TensorSource source) {
        return source.containsAnyUnder("classifier.");
    }

    /**
     * Loads the encoder with its pooler and the classifier; the number of labels is the classifier's output rows.
     * A missing pooler or classifier tensor, or a classifier whose shapes disagree with the encoder, is a one-line error.
     */
    public static BertForSequenceClassification load(TensorSource source, BertConfig config, Precision precision) {
        int hidden = config.hiddenSize();
        TensorInfo w = source.info("classifier.weight");
        TensorInfo b = source.info("classifier.bias");
        if (w == null || b == null) {
            throw new WeightException("missing weight '" + (w == null ? "classifier.weight" : "classifier.bias") + "' in "
                    + source.origin() + ": the sequence-classification head is incomplete");
        }
        if (w.shape().length != 2 || w.shape()[1] != hidden || w.shape()[0] <= 0) {
            throw new WeightException("classifier.weight in " + source.origin() + " has shape " + Arrays.toString(w.shape())
                    + " but the encoder needs [num_labels, " + hidden + "] (hidden_size " + hidden + ")");
        }
        int labels = w.shape()[0];
        if (b.shape().length != 1 || b.shape()[0] != labels) {
            throw new WeightException("classifier.bias in " + source.origin() + " has shape " + Arrays.toString(b.shape())
                    + " but classifier.weight has shape " + Arrays.toString(w.shape()) + " (expected [" + labels + "])");
        }
        if (!source.contains("bert.pooler.dense.weight")) {
            throw new WeightException("missing weight 'bert.pooler.dense.weight' in " + source.origin()
                    + ": BertForSequenceClassification classifies the pooled [CLS] vector and the checkpoint has no pooler");
        }
        Weights root = new Weights(source);
        BertModel bert = new BertModel(root.prefix("bert"), config, true, precision);
        // the classifier is a few rows: kept in fp32 whatever the encoder's precision
        return new BertForSequenceClassification(bert, Linear.load(root.prefix("classifier"), hidden, labels, Precision.FP32));
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
    public FloatTensor logits(Kernels k, EncoderOutput output) {
        FloatTensor last = output.lastHiddenState();
        int n = output.batch().size(), h = last.dim(1);
        FloatTensor cls = FloatTensor.zeros(n, h);
        for (int s = 0; s < n; s++) {
            System.arraycopy(last.data(), last.rowOffset(output.batch().offset(s)), cls.data(), s * h, h);
        }
        return classifier.forward(k, bert.pooler().forward(k, cls));
    }

    // ---- training ------------------------------------------------------------------------------------------

    /**
     * One forward and backward pass of single-label classification, as transformers'
     * {@code BertForSequenceClassification(labels=…)} with more than one label and dropout 0: the mean cross-entropy
     * of the classifier's logits over the sequences (a label of −100 skips one), and every parameter's gradient
     * accumulated into {@code g} under transformers' names ({@code bert.…}, {@code classifier.…}).
     *
     * @param labels one per sequence of the batch
     * @return the loss
     */
    public double lossAndGradients(Kernels k, Batch batch, int[] labels, Gradients g) {
        if (labels.length != batch.size()) throw new IllegalArgumentException(labels.length + " labels for " + batch.size() + " sequences");
        TrainingState s = new TrainingState(batch, bert.config());
        FloatTensor last = bert.forwardTraining(k, s, AttentionMask.BIDIRECTIONAL);     // (T, hidden)
        int n = batch.size(), h = last.dim(1);
        FloatTensor cls = FloatTensor.zeros(n, h);                                       // each sequence's [CLS] row
        for (int i = 0; i < n; i++) System.arraycopy(last.data(), last.rowOffset(batch.offset(i)), cls.data(), i * h, h);
        FloatTensor pooled = bert.pooler().forward(k, cls);                             // (n, hidden)
        FloatTensor logits = classifier.forward(k, pooled);                             // (n, labels)
        FloatTensor dlogits = FloatTensor.zeros(n, classifier.out());
        double loss = CrossEntropy.lossAndGradient(logits, labels, dlogits);
        FloatTensor dpooled = FloatTensor.zeros(n, h), dcls = FloatTensor.zeros(n, h);
        classifier.backward(k, pooled, dlogits, dpooled, false, g.prefix("classifier"));
        bert.pooler().backward(k, cls, pooled, dpooled, dcls, g.prefix("bert").prefix("pooler"));
        FloatTensor dLast = FloatTensor.zeros(last.dim(0), h);
        for (int i = 0; i < n; i++) System.arraycopy(dcls.data(), i * h, dLast.data(), dLast.rowOffset(batch.offset(i)), h);
        bert.backward(k, s, dLast, g.prefix("bert"));
        return loss;
    }
}
