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
        return ElementwiseLoss.mean(logits, targets, dlogits, TERM);
    }

    private static final ElementwiseLoss.Term TERM = new ElementwiseLoss.Term() {
        @Override
        public double loss(double x, double y) {
            return (x - y) * (x - y);
        }

        @Override
        public double gradient(double x, double y) {
            return 2 * (x - y);
        }
    };
}
