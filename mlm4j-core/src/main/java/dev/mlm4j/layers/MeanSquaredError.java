package dev.mlm4j.layers;

import dev.mlm4j.tensor.FloatTensor;

/**
 * Mean squared error, as PyTorch's {@code nn.MSELoss()} that transformers' sequence classifiers use for
 * {@code problem_type} "regression": the mean over every element of (logit − target)². With one label transformers
 * squeezes both sides to (rows) first, which is the same mean. Sums run in double.
 */
public final class MeanSquaredError {
    private MeanSquaredError() {}

    /**
     * The loss, and its gradient {@code dlogits = 2 (logits − targets) / (m · n)} for every element.
     *
     * @param logits  (m, n)
     * @param targets (m · n) row-major: the target of logit (i, j) at {@code i · n + j}; finite
     * @param dlogits (m, n), written; may be logits itself
     */
    public static double lossAndGradient(FloatTensor logits, float[] targets, FloatTensor dlogits) {
        int m = logits.dim(0), n = logits.dim(1);
        if (targets.length != m * n) throw new IllegalArgumentException(targets.length + " targets for " + m + " × " + n + " logits");
        dlogits.requireShape("dlogits", m, n);
        double total = 0, count = (double) m * n;
        for (int i = 0; i < m; i++) {
            int r = logits.rowOffset(i), rd = dlogits.rowOffset(i);
            for (int j = 0; j < n; j++) {
                double d = (double) logits.data()[r + j] - targets[i * n + j];
                total += d * d;
                dlogits.data()[rd + j] = (float) (2 * d / count);
            }
        }
        return total / count;
    }
}
