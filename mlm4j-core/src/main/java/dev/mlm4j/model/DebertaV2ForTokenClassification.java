package dev.mlm4j.model;

import dev.mlm4j.config.DebertaV2Config;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorSource;

/** transformers' {@code DebertaV2ForTokenClassification}: {@link DebertaV2Model} and {@code classifier} (num_labels, hidden) on every token. */
public final class DebertaV2ForTokenClassification implements TokenClassifier {
    private final DebertaV2Model deberta;
    private final Linear classifier;

    private DebertaV2ForTokenClassification(DebertaV2Model deberta, Linear classifier) {
        this.deberta = deberta;
        this.classifier = classifier;
    }

    public static DebertaV2ForTokenClassification load(TensorSource source, DebertaV2Config c, Precision precision) {
        int labels = BertWithClassifier.labels(source, "classifier", c.hiddenSize(), "token-classification");
        return new DebertaV2ForTokenClassification(DebertaV2Model.load(source, c, precision),
                BertWithClassifier.linear(source, "classifier", c.hiddenSize(), labels));
    }

    @Override
    public DebertaV2Model encoder() {
        return deberta;
    }

    @Override
    public int numLabels() {
        return classifier.out();
    }

    @Override
    public FloatTensor logits(EncoderOutput output) {
        return classifier.forward(Kernels.get(), output.lastHiddenState());
    }
}
