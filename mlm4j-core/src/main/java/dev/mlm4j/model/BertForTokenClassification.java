package dev.mlm4j.model;

import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.Weights;

/**
 * BertModel without its pooler + a linear classifier on every token: transformers' {@code BertForTokenClassification}
 * (keys {@code bert.*}, {@code classifier.weight} (labels, hidden), {@code classifier.bias} (labels)). Dropout is
 * the identity at inference. The classifier is kept in fp32 at any precision (it is hidden × labels, a few kB).
 */
public final class BertForTokenClassification extends BertWithClassifier implements TokenClassifier {

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
}
