package dev.mlm4j.model;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.heads.ModernBertPredictionHead;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code ModernBertForSequenceClassification}: {@link ModernBertModel}, the pooled sequence (the first
 * token with {@code classifier_pooling} "cls", the mean over the sequence's tokens with "mean"), the
 * {@link ModernBertPredictionHead} ({@code head.*}) and {@code classifier} (num_labels, hidden).
 */
public final class ModernBertForSequenceClassification implements SequenceClassifier {
    private final ModernBertModel model;
    private final ModernBertPredictionHead head;
    private final Linear classifier;
    private final boolean mean;

    private ModernBertForSequenceClassification(TensorSource source, ModernBertConfig c, Precision precision) {
        int labels = BertWithClassifier.labels(source, "classifier", c.hiddenSize(), "sequence-classification");
        this.model = ModernBertModel.load(source, c, precision);
        this.head = new ModernBertPredictionHead(new Weights(source).prefix("head"), c, precision);
        this.classifier = BertWithClassifier.linear(source, "classifier", c.hiddenSize(), labels);
        this.mean = c.classifierPooling().equals("mean");
    }

    public static ModernBertForSequenceClassification load(TensorSource source, ModernBertConfig config, Precision precision) {
        return new ModernBertForSequenceClassification(source, config, precision);
    }

    @Override
    public ModernBertModel encoder() {
        return model;
    }

    @Override
    public int numLabels() {
        return classifier.out();
    }

    @Override
    public FloatTensor logits(Kernels k, EncoderOutput output) {
        return classifier.forward(k, head.forward(k, mean ? means(output) : output.firstTokens()));
    }

    /** Each sequence's mean over its tokens (transformers' masked mean over the padded batch's real tokens). */
    private static FloatTensor means(EncoderOutput output) {
        Batch b = output.batch();
        FloatTensor last = output.lastHiddenState(), m = FloatTensor.zeros(b.size(), last.dim(1));
        for (int s = 0; s < b.size(); s++) {
            for (int j = 0; j < last.dim(1); j++) {
                float sum = 0;
                for (int i = 0; i < b.length(s); i++) sum += last.at(b.offset(s) + i, j);
                m.data()[s * last.dim(1) + j] = sum / b.length(s);
            }
        }
        return m;
    }
}
