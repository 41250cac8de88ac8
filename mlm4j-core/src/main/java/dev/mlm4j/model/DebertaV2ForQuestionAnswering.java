package dev.mlm4j.model;

import dev.mlm4j.config.DebertaV2Config;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.WeightException;

/** transformers' {@code DebertaV2ForQuestionAnswering}: {@link DebertaV2Model} and {@code qa_outputs} (2, hidden): a start and an end logit per token. */
public final class DebertaV2ForQuestionAnswering implements QuestionAnswerer {
    private final DebertaV2Model deberta;
    private final Linear qaOutputs;

    private DebertaV2ForQuestionAnswering(DebertaV2Model deberta, Linear qaOutputs) {
        this.deberta = deberta;
        this.qaOutputs = qaOutputs;
    }

    public static DebertaV2ForQuestionAnswering load(TensorSource source, DebertaV2Config c, Precision precision) {
        int labels = BertWithClassifier.labels(source, "qa_outputs", c.hiddenSize(), "question-answering");
        if (labels != 2) throw new WeightException("qa_outputs.weight in " + source.origin() + " has " + labels + " rows; question answering needs 2 (start, end)");
        return new DebertaV2ForQuestionAnswering(DebertaV2Model.load(source, c, precision),
                BertWithClassifier.linear(source, "qa_outputs", c.hiddenSize(), 2));
    }

    public static boolean hasHead(TensorSource source) {
        return source.containsAnyUnder("qa_outputs.");
    }

    @Override
    public DebertaV2Model encoder() {
        return deberta;
    }

    @Override
    public FloatTensor logits(Kernels k, EncoderOutput output) {
        return qaOutputs.forward(k, output.lastHiddenState());
    }
}
