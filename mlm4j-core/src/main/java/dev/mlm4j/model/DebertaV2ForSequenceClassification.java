package dev.mlm4j.model;

import dev.mlm4j.config.DebertaV2Config;
import dev.mlm4j.config.Precision;
import dev.mlm4j.heads.ContextPooler;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.WeightException;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code DebertaV2ForSequenceClassification}: {@link DebertaV2Model}, the {@link ContextPooler} on the
 * first token and {@code classifier} (num_labels, hidden): logits = classifier(gelu(pooler.dense(h[CLS]))). The pooler's
 * key {@code pooler.dense.*} sits at the top level, where mlm4j's canonical names read it as {@code bert.pooler.dense.*};
 * both are accepted.
 */
public final class DebertaV2ForSequenceClassification implements SequenceClassifier {
    private final DebertaV2Model deberta;
    private final ContextPooler pooler;
    private final Linear classifier;

    private DebertaV2ForSequenceClassification(DebertaV2Model deberta, ContextPooler pooler, Linear classifier) {
        this.deberta = deberta;
        this.pooler = pooler;
        this.classifier = classifier;
    }

    public static DebertaV2ForSequenceClassification load(TensorSource source, DebertaV2Config c, Precision precision) {
        int labels = BertWithClassifier.labels(source, "classifier", c.hiddenSize(), "sequence-classification");
        String pooler = source.contains("pooler.dense.weight") ? "pooler" : source.contains("bert.pooler.dense.weight") ? "bert.pooler" : null;
        if (pooler == null) {
            throw new WeightException("missing weight 'pooler.dense.weight' in " + source.origin()
                    + ": DebertaV2ForSequenceClassification classifies the pooled first token and the checkpoint has no pooler");
        }
        Weights root = new Weights(source);
        Weights p = pooler.equals("pooler") ? root.prefix("pooler") : root.prefix("bert").prefix("pooler");
        return new DebertaV2ForSequenceClassification(DebertaV2Model.load(source, c, precision), new ContextPooler(p, c.hiddenSize(), precision),
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
    public FloatTensor logits(Kernels k, EncoderOutput output) {
        return classifier.forward(k, pooler.forward(k, output.firstTokens()));
    }
}
