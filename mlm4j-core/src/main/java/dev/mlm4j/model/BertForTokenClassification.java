package dev.mlm4j.model;

import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.layers.CrossEntropy;
import dev.mlm4j.config.Batch;
import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.Weights;

/**
 * BertModel without its pooler + a linear classifier on every token: transformers' {@code BertForTokenClassification}
 * (keys {@code bert.*}, {@code classifier.weight} (labels, hidden), {@code classifier.bias} (labels)). Dropout is
 * the identity at inference. The classifier is kept in fp32 at any precision (it is hidden × labels, a few kB).
 */
public final class BertForTokenClassification extends BertWithClassifier implements TokenClassifier, Trainable {

    public BertForTokenClassification(BertModel bert, Linear classifier) {
        super(bert, classifier);
    }

    /** Loads the encoder (no pooler, as in transformers) and the classifier, checking the classifier's shapes. */
    public static BertForTokenClassification load(TensorSource source, BertConfig config, Precision precision) {
        int labels = labels(source, "classifier", config.hiddenSize(), "token-classification");
        BertModel bert = new BertModel(new Weights(source).prefix("bert"), config, false, precision);
        return new BertForTokenClassification(bert, linear(source, "classifier", config.hiddenSize(), labels));
    }

    @Override
    public FloatTensor logits(EncoderOutput output) {
        return classifier.forward(Kernels.get(), output.lastHiddenState());
    }

    /**
     * One forward and backward pass of token classification, as transformers' {@code BertForTokenClassification(labels=…)}
     * under {@code dropout}: the mean cross-entropy over the tokens whose label is not −100 (special tokens, continuation
     * word pieces), and every parameter's gradient accumulated into {@code g} under transformers' names.
     *
     * @param labels (T) one per packed token, or {@link CrossEntropy#IGNORE_INDEX}
     */
    @Override
    public double lossAndGradients(Kernels k, Batch batch, int[] labels, Gradients g, Dropout dropout) {
        if (labels.length != batch.tokens()) throw new IllegalArgumentException(labels.length + " labels for " + batch.tokens() + " tokens");
        TrainingState s = bert.trainingState(batch, dropout);
        FloatTensor last = bert.forwardTraining(k, s, AttentionMask.BIDIRECTIONAL);     // (T, hidden)
        FloatTensor dLast = FloatTensor.zeros(last.dim(0), last.dim(1));
        double loss = classifierLossAndGradient(k, last, labels, dropout.classifierInput(), dLast, g);  // dropout(sequence_output)
        bert.backward(k, s, dLast, g.prefix("bert"));
        return loss;
    }
}
