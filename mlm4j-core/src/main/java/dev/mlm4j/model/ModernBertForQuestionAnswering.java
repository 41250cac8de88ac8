package dev.mlm4j.model;

import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.heads.ModernBertPredictionHead;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.WeightException;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code ModernBertForQuestionAnswering}: {@link ModernBertModel}, {@link ModernBertPredictionHead}
 * ({@code head.*}) on every token and {@code classifier} (2, hidden): column 0 the start, column 1 the end logit.
 */
public final class ModernBertForQuestionAnswering implements QuestionAnswerer {
    private final ModernBertModel model;
    private final ModernBertPredictionHead head;
    private final Linear classifier;

    private ModernBertForQuestionAnswering(TensorSource source, ModernBertConfig c, Precision precision) {
        int labels = BertWithClassifier.labels(source, "classifier", c.hiddenSize(), "question-answering");
        if (labels != 2) throw new WeightException("classifier.weight in " + source.origin() + " has " + labels + " rows; question answering needs 2 (start, end)");
        this.model = ModernBertModel.load(source, c, precision);
        this.head = new ModernBertPredictionHead(new Weights(source).prefix("head"), c, precision);
        this.classifier = BertWithClassifier.linear(source, "classifier", c.hiddenSize(), 2);
    }

    public static ModernBertForQuestionAnswering load(TensorSource source, ModernBertConfig config, Precision precision) {
        return new ModernBertForQuestionAnswering(source, config, precision);
    }

    @Override
    public ModernBertModel encoder() {
        return model;
    }

    @Override
    public FloatTensor logits(Kernels k, EncoderOutput output) {
        return classifier.forward(k, head.forward(k, output.lastHiddenState()));
    }
}
