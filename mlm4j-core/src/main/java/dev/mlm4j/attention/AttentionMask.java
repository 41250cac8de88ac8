package dev.mlm4j.attention;

import dev.mlm4j.tensor.FloatTensor;

/**
 * Which keys each query may attend to. The direction is the seed's switch: {@link Direction#BIDIRECTIONAL}
 * (no mask, the masked-language-model case: every token sees every other) or {@link Direction#CAUSAL}
 * (token i sees keys j ≤ i, as in a left-to-right model). Either can be combined with a padding mask:
 * keys marked invalid (padding) never receive weight.
 *
 * <p>Masked scores are set to −∞ before the softmax, so their probabilities are exactly 0.
 */
public record AttentionMask(Direction direction, boolean[] validKeys) {

    public enum Direction {
        /** No mask: A = softmax(QKᵀ/√d_k). */
        BIDIRECTIONAL,
        /** Token i attends to j ≤ i only: the upper triangle of QKᵀ is masked. */
        CAUSAL
    }

    public static final AttentionMask BIDIRECTIONAL = new AttentionMask(Direction.BIDIRECTIONAL, null);
    public static final AttentionMask CAUSAL = new AttentionMask(Direction.CAUSAL, null);

    public static AttentionMask of(boolean causal) {
        return causal ? CAUSAL : BIDIRECTIONAL;
    }

    /** The same direction, with keys whose {@code validKeys[j]} is false (padding) masked out. */
    public AttentionMask withPadding(boolean[] validKeys) {
        return new AttentionMask(direction, validKeys.clone());
    }

    /** The same direction with the first {@code length} of {@code total} keys valid, the rest padding. */
    public AttentionMask withValidLength(int length, int total) {
        boolean[] v = new boolean[total];
        java.util.Arrays.fill(v, 0, length, true);
        return new AttentionMask(direction, v);
    }

    public boolean isCausal() {
        return direction == Direction.CAUSAL;
    }

    /** May query {@code i} attend to key {@code j}? */
    public boolean allows(int i, int j) {
        if (direction == Direction.CAUSAL && j > i) return false;
        return validKeys == null || validKeys[j];
    }

    /** Sets the disallowed entries of scores (n, n) to −∞, in place. Bidirectional without padding is a no-op. */
    public void apply(FloatTensor scores) {
        int n = scores.dim(0), m = scores.dim(1);
        if (validKeys != null && validKeys.length != m) {
            throw new IllegalArgumentException("padding mask has " + validKeys.length + " keys, scores have " + m);
        }
        if (direction == Direction.BIDIRECTIONAL && validKeys == null) return;
        float[] d = scores.data();
        for (int i = 0; i < n; i++) {
            int r = scores.rowOffset(i);
            for (int j = 0; j < m; j++) {
                if (!allows(i, j)) d[r + j] = Float.NEGATIVE_INFINITY;
            }
        }
    }
}
