package dev.mlm4j.model;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.Precision;
import dev.mlm4j.config.ProblemType;
import dev.mlm4j.heads.ClassificationHead;
import dev.mlm4j.heads.ContextPooler;
import dev.mlm4j.heads.ModernBertPredictionHead;
import dev.mlm4j.heads.Transform;
import dev.mlm4j.kernels.DropoutMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.BinaryCrossEntropyWithLogits;
import dev.mlm4j.layers.CrossEntropy;
import dev.mlm4j.layers.MeanSquaredError;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
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
public final class SequenceClassifierModel implements SequenceClassifier, Trainable {

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
    private final String denseKey, outKey;   // the head's two layers, for training: RoBERTa's classifier.dense, classifier.out_proj

    public SequenceClassifierModel(Encoder encoder, ClassificationHead head) {
        this(encoder, Pooling.FIRST, head);
    }

    public SequenceClassifierModel(Encoder encoder, Pooling pooling, ClassificationHead head) {
        this(encoder, pooling, head, null, null);
    }

    private SequenceClassifierModel(Encoder encoder, Pooling pooling, ClassificationHead head, String denseKey, String outKey) {
        this.encoder = encoder;
        this.pooling = pooling;
        this.head = head;
        this.denseKey = denseKey;
        this.outKey = outKey;
    }

    /**
     * Loads the head from keys {@code dense} (hidden → hidden) and {@code out} (hidden → labels), their shapes checked in
     * one-line errors, on {@code encoder}.
     */
    public static SequenceClassifierModel load(TensorSource source, Encoder encoder, String dense, ClassificationHead.Activation activation, String out) {
        return load(source, encoder, dense, activation, out, ClassificationHead.DropoutSites.INPUT_AND_HIDDEN);
    }

    /** As above, the classifier dropout at {@code sites} in training (DistilBERT's: only before {@code classifier}). */
    public static SequenceClassifierModel load(TensorSource source, Encoder encoder, String dense, ClassificationHead.Activation activation, String out,
                                               ClassificationHead.DropoutSites sites) {
        int hidden = encoder.config().hiddenSize();
        int denseOut = BertWithClassifier.labels(source, dense, hidden, "sequence-classification");
        if (denseOut != hidden) {
            throw new WeightException(dense + ".weight in " + source.origin() + " has " + denseOut
                    + " rows but the classification head needs " + hidden + " (hidden_size)");
        }
        Linear d = Linear.load(new Weights(source).prefix(dense), hidden, hidden, Precision.FP32);
        return new SequenceClassifierModel(encoder, Pooling.FIRST, new ClassificationHead(d, activation, last(source, encoder, out), sites), dense, out);
    }

    /**
     * The family's own {@code transform} on the {@code pooling} vector, then the linear layer {@code classifier}
     * (hidden → labels, its shapes checked in one-line errors), on {@code encoder}. ModernBERT's prediction head
     * trains, its gradients under {@code head}.
     */
    public static SequenceClassifierModel load(TensorSource source, Encoder encoder, Pooling pooling, Transform transform, String classifier) {
        Linear out = last(source, encoder, classifier);
        if (transform instanceof ModernBertPredictionHead head) {
            return new SequenceClassifierModel(encoder, pooling, new ClassificationHead(head, out), "head", classifier);
        }
        return new SequenceClassifierModel(encoder, pooling, new ClassificationHead(transform, out));
    }

    /**
     * DeBERTa's: its {@link ContextPooler} (loaded by the family, which finds its key) on the first token, then
     * {@code classifier}; trains as a dense + GELU head ({@link ContextPooler#withClassifier}), the pooler's gradients
     * under {@code poolerKey}{@code .dense}.
     */
    public static SequenceClassifierModel load(TensorSource source, Encoder encoder, ContextPooler pooler, String poolerKey, String classifier) {
        return new SequenceClassifierModel(encoder, Pooling.FIRST, pooler.withClassifier(last(source, encoder, classifier)), poolerKey + ".dense", classifier);
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

    // ---- training ------------------------------------------------------------------------------------------

    /**
     * The encoder, when this model trains: a {@link TrainableEncoder} (RoBERTa, XLM-RoBERTa, ELECTRA, DistilBERT, DeBERTa-v2/v3)
     * under a dense + activation head, or ModernBERT's under its prediction head; else a one-line refusal naming what has no
     * backward pass.
     */
    private TrainableEncoder trainableEncoder() {
        TrainableEncoder e = TrainableEncoder.of(encoder);
        if (!head.trains() || denseKey == null) {
            throw new IllegalArgumentException("this sequence classifier's head (" + encoder.getClass().getSimpleName() + ") has no backward pass yet");
        }
        return e;
    }

    /**
     * One forward and backward pass of single-label classification, as transformers' {@code RobertaForSequenceClassification(labels=…)}
     * with more than one label: the head on each sequence's first token ({@code <s>}), the mean cross-entropy over the
     * sequences (−100 skips one), every parameter's gradient accumulated into {@code g} under transformers' names.
     *
     * @param labels one per sequence of the batch
     */
    @Override
    public double lossAndGradients(Kernels k, Batch batch, int[] labels, Gradients g, Dropout dropout) {
        if (labels.length != batch.size()) throw new IllegalArgumentException(labels.length + " labels for " + batch.size() + " sequences");
        return lossAndGradients(k, batch, g, dropout, (logits, dlogits) -> CrossEntropy.lossAndGradient(k, logits, labels, dlogits));
    }

    /**
     * Regression ({@link MeanSquaredError}) or multi-label classification ({@link BinaryCrossEntropyWithLogits}) under
     * {@code problem}, as transformers' {@code RobertaForSequenceClassification} computes its loss for that
     * {@code config.problem_type}.
     *
     * @param targets {@link #numLabels()} per sequence, row-major (sequences × labels)
     */
    @Override
    public double lossAndGradients(Kernels k, Batch batch, float[] targets, ProblemType problem, Gradients g, Dropout dropout) {
        if (targets.length != batch.size() * numLabels()) {
            throw new IllegalArgumentException(targets.length + " targets for " + batch.size() + " sequences × " + numLabels() + " labels");
        }
        return lossAndGradients(k, batch, g, dropout, switch (problem) {
            case REGRESSION -> (logits, dlogits) -> MeanSquaredError.lossAndGradient(logits, targets, dlogits);
            case MULTI_LABEL_CLASSIFICATION -> (logits, dlogits) -> BinaryCrossEntropyWithLogits.lossAndGradient(logits, targets, dlogits);
            case SINGLE_LABEL_CLASSIFICATION -> throw new IllegalArgumentException("single-label classification trains on class ids, not float targets");
        });
    }

    /** A loss on the head's logits (n, labels): returns it and writes its gradient into dlogits. */
    private interface Loss {
        double lossAndGradient(FloatTensor logits, FloatTensor dlogits);
    }

    private double lossAndGradients(Kernels k, Batch batch, Gradients g, Dropout dropout, Loss lossFunction) {
        TrainableEncoder e = trainableEncoder();
        int n = batch.size();
        int[] firstRows = new int[n];                                                   // what FIRST pooling reads; MEAN reads every row
        for (int i = 0; i < n; i++) firstRows[i] = batch.offset(i);
        TrainingState s = e.trainingState(batch, dropout);
        FloatTensor last = e.forwardTraining(k, s, AttentionMask.BIDIRECTIONAL, pooling == Pooling.FIRST ? firstRows : null); // (T, hidden)
        int h = last.dim(1);
        FloatTensor first = pooling == Pooling.MEAN                                    // (n, hidden): what the head reads
                ? new EncoderOutput(batch, last, java.util.List.of(), java.util.List.of()).meanTokens() : last.gatherRows(firstRows);
        DropoutMask inputDrop = head.inputDropout(dropout), hiddenDrop = head.hiddenDropout(dropout);
        ClassificationHead.Saved saved = head.forwardTraining(k, first, inputDrop, hiddenDrop);
        FloatTensor dlogits = FloatTensor.zeros(n, head.numLabels());
        double loss = lossFunction.lossAndGradient(saved.logits(), dlogits);
        FloatTensor dfirst = FloatTensor.zeros(n, h);
        head.backward(k, saved, dlogits, inputDrop, hiddenDrop, dfirst, g.prefix(denseKey), g.prefix(outKey));
        FloatTensor dLast = FloatTensor.zeros(last.dim(0), h);
        if (pooling == Pooling.FIRST) dfirst.scatterRows(firstRows, dLast);
        else for (int i = 0; i < n; i++) {
            int len = batch.length(i);                                                   // the mean: 1/len of it to each token
            for (int r = 0; r < len; r++) {
                int o = dLast.rowOffset(batch.offset(i) + r);
                for (int j = 0; j < h; j++) dLast.data()[o + j] = dfirst.data()[i * h + j] / len;
            }
        }
        e.backward(k, s, dLast, g.prefix(e.scope()));
        return loss;
    }

    /** Every trainable parameter by transformers' name ({@code roberta.…}, {@code classifier.dense.…}, {@code classifier.out_proj.…}). */
    @Override
    public Parameters parameters() {
        TrainableEncoder e = trainableEncoder();
        Parameters p = new Parameters();
        e.parameters(p.prefix(e.scope()));
        head.parameters(p.prefix(denseKey), p.prefix(outKey));
        return p;
    }
}
