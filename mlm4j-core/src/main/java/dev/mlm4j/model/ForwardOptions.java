package dev.mlm4j.model;

import dev.mlm4j.encoder.ForwardCapture;
import dev.mlm4j.attention.AttentionMask;

/**
 * What a forward pass computes besides the last hidden state. Nothing extra is computed or kept
 * unless asked for.
 *
 * @param direction        bidirectional (the MLM case) or causal, in every layer
 * @param attentions       keep every layer's and head's attention probabilities A
 * @param hiddenStates     keep the embeddings output and every layer's output
 * @param scores           keep every layer's and head's scaled scores QKᵀ/√d_k, before the mask and the softmax
 */
public record ForwardOptions(AttentionMask.Direction direction, boolean attentions, boolean hiddenStates, boolean scores) {

    public static final ForwardOptions DEFAULT = new ForwardOptions(AttentionMask.Direction.BIDIRECTIONAL, false, false, false);

    public ForwardOptions(AttentionMask.Direction direction, boolean attentions, boolean hiddenStates) {
        this(direction, attentions, hiddenStates, false);
    }

    public static ForwardOptions causal(boolean causal) {
        return causal ? new ForwardOptions(AttentionMask.Direction.CAUSAL, false, false) : DEFAULT;
    }

    public ForwardOptions withAttentions() {
        return new ForwardOptions(direction, true, hiddenStates, scores);
    }

    public ForwardOptions withHiddenStates() {
        return new ForwardOptions(direction, attentions, true, scores);
    }

    public ForwardOptions withScores() {
        return new ForwardOptions(direction, attentions, hiddenStates, true);
    }

    /** A fresh capture of what these options ask for ({@link ForwardCapture#NONE} when they ask for nothing). */
    public ForwardCapture capture() {
        return ForwardCapture.of(attentions, hiddenStates, scores);
    }

    public AttentionMask mask() {
        return direction == AttentionMask.Direction.CAUSAL ? AttentionMask.CAUSAL : AttentionMask.BIDIRECTIONAL;
    }
}
