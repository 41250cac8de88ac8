package dev.mlm4j.model;

import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.heads.ModernBertPredictionHead;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code ModernBertForTokenClassification}: {@link ModernBertModel}, {@link ModernBertPredictionHead}
 * ({@code head.*}) on every token and {@code classifier} (num_labels, hidden).
 */
public final class ModernBertForTokenClassification implements TokenClassifier {
    private final ModernBertModel model;
    private final ModernBertPredictionHead head;
    private final Linear classifier;

    private ModernBertForTokenClassification(TensorSource source, ModernBertConfig c, Precision precision) {
        int labels = BertWithClassifier.labels(source, "classifier", c.hiddenSize(), "token-classification");
        this.model = ModernBertModel.load(source, c, precision);
        this.head = new ModernBertPredictionHead(new Weights(source).prefix("head"), c, precision);
        this.classifier = BertWithClassifier.linear(source, "classifier", c.hiddenSize(), labels);
    }

    public static ModernBertForTokenClassification load(TensorSource source, ModernBertConfig config, Precision precision) {
        return new ModernBertForTokenClassification(source, config, precision);
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
    public FloatTensor logits(EncoderOutput output) {
        Kernels k = Kernels.get();
        return classifier.forward(k, head.forward(k, output.lastHiddenState()));
    }
}
