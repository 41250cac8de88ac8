package dev.mlm4j.explorer;

/**
 * What an explorer run computes. Attention probabilities are always kept (they are the point); the rest
 * only when asked.
 *
 * @param causal       run every layer with the causal mask (token i sees j ≤ i) instead of bidirectionally
 * @param scores       also keep the scaled scores QKᵀ/√d_k of every layer and head, before the mask
 * @param hiddenStates also keep the embeddings output and every layer's output
 * @param topK         fill-mask candidates kept per [MASK] when the model has its MLM head
 * @param maxLength    the longest text accepted, in tokens; 0 means the model's position table
 *                     (max_position_embeddings). Longer texts are refused, never truncated.
 */
public record ExplorerOptions(boolean causal, boolean scores, boolean hiddenStates, int topK, int maxLength) {

    public static final ExplorerOptions DEFAULT = new ExplorerOptions(false, false, false, 5, 0);

    public ExplorerOptions {
        if (topK < 1) throw new IllegalArgumentException("top-k must be at least 1, got " + topK);
        if (maxLength < 0) throw new IllegalArgumentException("maximum length must be ≥ 0, got " + maxLength);
    }

    public ExplorerOptions withCausal(boolean c) {
        return new ExplorerOptions(c, scores, hiddenStates, topK, maxLength);
    }

    public ExplorerOptions withScores() {
        return new ExplorerOptions(causal, true, hiddenStates, topK, maxLength);
    }

    public ExplorerOptions withHiddenStates() {
        return new ExplorerOptions(causal, scores, true, topK, maxLength);
    }

    public ExplorerOptions withTopK(int k) {
        return new ExplorerOptions(causal, scores, hiddenStates, k, maxLength);
    }

    public ExplorerOptions withMaxLength(int tokens) {
        return new ExplorerOptions(causal, scores, hiddenStates, topK, tokens);
    }
}
