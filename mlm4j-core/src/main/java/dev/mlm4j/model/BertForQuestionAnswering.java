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

    // ---- training ------------------------------------------------------------------------------------------

    /**
     * One forward and backward pass of extractive QA, as transformers' {@code BertForQuestionAnswering(start_positions,
     * end_positions)} with dropout 0: (CE(start logits, start) + CE(end logits, end)) / 2, each cross-entropy over a
     * sequence's own tokens and averaged over the sequences; a position outside its sequence is ignored (transformers
     * clamps it to its ignore index). Every parameter's gradient is accumulated into {@code g} under transformers' names.
     * Unlike transformers on a padded batch, padding takes no part in the softmax (there is none in the packed batch).
     *
     * @param starts one per sequence, a token index within it
     * @param ends   one per sequence
     */
    public double lossAndGradients(Kernels k, Batch batch, int[] starts, int[] ends, Gradients g) {
        int n = batch.size();
        if (starts.length != n || ends.length != n) throw new IllegalArgumentException(starts.length + " starts and " + ends.length + " ends for " + n + " sequences");
        TrainingState s = bert.trainingState(batch, Dropout.OFF);
        FloatTensor last = bert.forwardTraining(k, s, AttentionMask.BIDIRECTIONAL);     // (T, hidden)
        FloatTensor logits = qaOutputs.forward(k, last);                                // (T, 2): start, end
        FloatTensor dlogits = FloatTensor.zeros(last.dim(0), 2);
        double loss = (endpointLoss(k, batch, logits, dlogits, 0, starts) + endpointLoss(k, batch, logits, dlogits, 1, ends)) / 2;
        FloatTensor dLast = FloatTensor.zeros(last.dim(0), last.dim(1));
        qaOutputs.backward(k, last, dlogits, dLast, false, g.prefix("qa_outputs"));
        bert.backward(k, s, dLast, g.prefix("bert"));
        return loss;
    }

    /**
     * Cross-entropy of column {@code col} of logits (T, 2), one row per sequence padded with −∞ (probability exactly 0),
     * against {@code positions}; adds half its gradient into column col of dlogits (the loss is the mean of two).
     */
    private static double endpointLoss(Kernels k, Batch batch, FloatTensor logits, FloatTensor dlogits, int col, int[] positions) {
        int n = batch.size(), width = batch.maxLength();
        FloatTensor rows = FloatTensor.zeros(n, width), drows = FloatTensor.zeros(n, width);
        int[] labels = new int[n];
        for (int q = 0; q < n; q++) {
            int off = batch.offset(q), len = batch.length(q);
            java.util.Arrays.fill(rows.data(), q * width + len, (q + 1) * width, Float.NEGATIVE_INFINITY);
            for (int i = 0; i < len; i++) rows.data()[q * width + i] = logits.at(off + i, col);
            labels[q] = positions[q] >= 0 && positions[q] < len ? positions[q] : CrossEntropy.IGNORE_INDEX;
        }
        double loss = CrossEntropy.lossAndGradient(k, rows, labels, drows);
        for (int q = 0; q < n; q++) {
            for (int i = 0; i < batch.length(q); i++) dlogits.data()[dlogits.rowOffset(batch.offset(q) + i) + col] += drows.at(q, i) / 2;
        }
        return loss;
    }
}
