package dev.mlm4j.model;

import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.config.ProblemType;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.config.Batch;
import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.WeightException;
import dev.mlm4j.weights.Weights;

/**
 * BertModel (with its pooler) + a linear classifier: transformers' {@code BertForSequenceClassification}
 * (keys {@code bert.*}, {@code classifier.weight} (num_labels, hidden), {@code classifier.bias}). At inference the
 * dropout is the identity, so logits = classifier(tanh(pooler.dense(h[CLS]))).
 *
 * <p>A causal model's classifier (config.json {@code "is_decoder": true} and {@code "mlm4j_pooling": "last"}, which
 * {@code ./mlm4j train classify} writes when it puts a new head on a {@code train clm} model) pools each sequence's last
 * token ([SEP]) instead: under the causal mask [CLS] sees only itself, and the last token is the one that has seen the
 * whole text (GPT-2's classifier pools its last non-pad token likewise). transformers' BertForSequenceClassification
 * ignores the key and pools [CLS], so such a folder computes differently there.
 */
public final class BertForSequenceClassification extends BertWithClassifier implements SequenceClassifier, Trainable {

    public BertForSequenceClassification(BertModel bert, Linear classifier) {
        super(requirePooler(bert), classifier);
    }

    private static BertModel requirePooler(BertModel bert) {
        if (bert.pooler() == null) throw new IllegalArgumentException("BertForSequenceClassification needs the encoder's pooler");
        return bert;
    }

    /**
     * Loads the encoder with its pooler and the classifier; the number of labels is the classifier's output rows.
     * A missing pooler or classifier tensor, or a classifier whose shapes disagree with the encoder, is a one-line error.
     */
    public static BertForSequenceClassification load(TensorSource source, BertConfig config, Precision precision) {
        int hidden = config.hiddenSize();
        int labels = labels(source, "classifier", hidden, "sequence-classification");
        if (!source.contains("bert.pooler.dense.weight")) {
            throw new WeightException("missing weight 'bert.pooler.dense.weight' in " + source.origin()
                    + ": BertForSequenceClassification classifies the pooled [CLS] vector and the checkpoint has no pooler");
        }
        BertModel bert = new BertModel(new Weights(source).prefix("bert"), config, true, precision);
        return new BertForSequenceClassification(bert, linear(source, "classifier", hidden, labels));
    }

    @Override
    public FloatTensor logits(Kernels k, EncoderOutput output) {
        return classifier.forward(k, bert.pooler().forward(k, output.lastHiddenRows(pooledRows(output.batch()))));
    }

    /** The rows (packed positions) the pooler reads: each sequence's [CLS], or its last token under {@code mlm4j_pooling: last}. */
    private int[] pooledRows(Batch batch) {
        int[] rows = new int[batch.size()];
        for (int s = 0; s < rows.length; s++) rows[s] = bert.config().poolsLastToken() ? batch.offset(s) + batch.length(s) - 1 : batch.offset(s);
        return rows;
    }

    // ---- training ------------------------------------------------------------------------------------------

    /**
     * One forward and backward pass of single-label classification, as transformers'
     * {@code BertForSequenceClassification(labels=…)} with more than one label, under {@code dropout}: the mean
     * cross-entropy of the classifier's logits over the sequences (a label of −100 skips one), and every parameter's
     * gradient accumulated into {@code g} under transformers' names ({@code bert.…}, {@code classifier.…}).
     *
     * @param labels one per sequence of the batch
     * @return the loss
     */
    @Override
    public double lossAndGradients(Kernels k, Batch batch, int[] labels, Gradients g, Dropout dropout) {
        if (labels.length != batch.size()) throw new IllegalArgumentException(labels.length + " labels for " + batch.size() + " sequences");
        return lossAndGradients(k, batch, dropout, g, (pooled, dpooled) -> classifierLossAndGradient(k, pooled, labels, dropout.classifierInput(), dpooled, g));
    }

    /**
     * One forward and backward pass of regression or multi-label classification, as transformers'
     * {@code BertForSequenceClassification(labels=…)} under {@code config.problem_type} {@code problem}: the mean
     * squared error of the logits against {@code targets} (regression; with one label, transformers' squeezed MSE is the
     * same mean), or the mean binary cross-entropy of the logits against multi-hot {@code targets} (multi-label).
     *
     * @param targets {@link #numLabels()} per sequence, row-major (sequences × labels)
     */
    @Override
    public double lossAndGradients(Kernels k, Batch batch, float[] targets, ProblemType problem, Gradients g, Dropout dropout) {
        if (targets.length != batch.size() * numLabels()) {
            throw new IllegalArgumentException(targets.length + " targets for " + batch.size() + " sequences × " + numLabels() + " labels");
        }
        return lossAndGradients(k, batch, dropout, g, (pooled, dpooled) ->
                classifierLossAndGradient(k, pooled, targets, problem, dropout.classifierInput(), dpooled, g));
    }

    /** The classifier's part of a step on the pooled rows (n, hidden): its loss, its gradient at them into dpooled. */
    private interface Head {
        double lossAndGradient(FloatTensor pooled, FloatTensor dpooled);
    }

    private double lossAndGradients(Kernels k, Batch batch, Dropout dropout, Gradients g, Head head) {
        int n = batch.size();
        int[] rows = pooledRows(batch);
        TrainingState s = bert.trainingState(batch, dropout);
        FloatTensor last = bert.forwardTraining(k, s, AttentionMask.BIDIRECTIONAL, rows); // (T, hidden), read at the pooled rows only
        int h = last.dim(1);
        FloatTensor cls = last.gatherRows(rows);                                        // each sequence's [CLS] (or last) row, as logits() reads it
        FloatTensor pooled = bert.pooler().forward(k, cls);                             // (n, hidden)
        FloatTensor dpooled = FloatTensor.zeros(n, h), dcls = FloatTensor.zeros(n, h);
        double loss = head.lossAndGradient(pooled, dpooled);                            // dropout(pooled_output) → classifier → loss
        bert.pooler().backward(k, cls, pooled, dpooled, dcls, g.prefix("bert").prefix("pooler"));
        FloatTensor dLast = FloatTensor.zeros(last.dim(0), h);
        dcls.scatterRows(rows, dLast);
        bert.backward(k, s, dLast, g.prefix("bert"));
        return loss;
    }
}
