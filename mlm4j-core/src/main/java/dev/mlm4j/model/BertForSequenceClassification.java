package dev.mlm4j.model;

import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.heads.BertPooler;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.WeightException;
import dev.mlm4j.weights.Weights;

/**
 * BertModel (with its pooler) + a linear classifier: transformers' {@code BertForSequenceClassification}
 * (keys {@code bert.*}, {@code classifier.weight} (num_labels, hidden), {@code classifier.bias}). At inference the
 * dropout is the identity, so logits = classifier(tanh(pooler.dense(h[CLS]))).
 */
public final class BertForSequenceClassification extends BertWithClassifier implements SequenceClassifier {

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
        return classifier.forward(k, bert.pooler().forward(k, output.firstTokens()));
    }
}
