package dev.mlm4j.model;

import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorInfo;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.WeightException;
import dev.mlm4j.weights.Weights;

import java.util.Arrays;

/**
 * BertModel without its pooler + a linear layer giving two logits per token: transformers'
 * {@code BertForQuestionAnswering} (keys {@code bert.*}, {@code qa_outputs.weight} (2, hidden), {@code qa_outputs.bias}
 * (2)); {@code start_logits, end_logits = logits.split(1, dim=-1)}. The head is kept in fp32 at any precision.
 */
public final class BertForQuestionAnswering implements QuestionAnswerer {
    private final BertModel bert;
    private final Linear qaOutputs;

    public BertForQuestionAnswering(BertModel bert, Linear qaOutputs) {
        if (qaOutputs.out() != 2) throw new IllegalArgumentException("qa_outputs must give 2 logits (start, end), not " + qaOutputs.out());
        this.bert = bert;
        this.qaOutputs = qaOutputs;
    }

    /** Whether a checkpoint carries a span head: any {@code qa_outputs.*} tensor (a broken one is then named by {@link #load}). */
    public static boolean hasHead(TensorSource source) {
        return source.containsAnyUnder("qa_outputs.");
    }

    /** Loads the encoder (no pooler, as in transformers) and {@code qa_outputs}, checking its shapes: one-line errors. */
    public static BertForQuestionAnswering load(TensorSource source, BertConfig config, Precision precision) {
        int hidden = config.hiddenSize();
        TensorInfo w = source.info("qa_outputs.weight");
        TensorInfo b = source.info("qa_outputs.bias");
        if (w == null || b == null) {
            throw new WeightException("missing weight '" + (w == null ? "qa_outputs.weight" : "qa_outputs.bias") + "' in "
                    + source.origin() + ": not a complete BertForQuestionAnswering head");
        }
        if (!Arrays.equals(w.shape(), new int[]{2, hidden}) || !Arrays.equals(b.shape(), new int[]{2})) {
            throw new WeightException("question-answering head in " + source.origin() + " has qa_outputs.weight "
                    + Arrays.toString(w.shape()) + " and qa_outputs.bias " + Arrays.toString(b.shape())
                    + " but config.json's hidden_size " + hidden + " needs [2, " + hidden + "] and [2] (start and end logits)");
        }
        Weights root = new Weights(source);
        BertModel bert = new BertModel(root.prefix("bert"), config, false, precision);
        return new BertForQuestionAnswering(bert, Linear.load(root.prefix("qa_outputs"), hidden, 2, Precision.FP32));
    }

    @Override
    public BertModel encoder() {
        return bert;
    }

    @Override
    public FloatTensor logits(Kernels k, EncoderOutput output) {
        return qaOutputs.forward(k, output.lastHiddenState());
    }
}
