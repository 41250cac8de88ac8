package dev.mlm4j.layers;

import dev.mlm4j.tensor.FloatTensor;

/**
 * What the element-wise losses share ({@link MeanSquaredError}, {@link BinaryCrossEntropyWithLogits}): (m, n) logits
 * against row-major targets, the mean of a per-element term over all m · n elements and its gradient, sums in double.
 */
final class ElementwiseLoss {
    private ElementwiseLoss() {}

    /** One element's term ℓ(x, y) and its derivative ∂ℓ/∂x. */
    interface Term {
        double loss(double x, double y);

        double gradient(double x, double y);
    }

    /**
     * The mean of {@code term} over every element, and {@code dlogits = ∂ℓ/∂x / (m · n)}.
     *
     * @param targets (m · n) row-major: the target of logit (i, j) at {@code i · n + j}
     * @param dlogits (m, n), written; may be logits itself
     */
    static double mean(FloatTensor logits, float[] targets, FloatTensor dlogits, Term term) {
        int m = logits.dim(0), n = logits.dim(1);
        if (targets.length != m * n) throw new IllegalArgumentException(targets.length + " targets for " + m + " × " + n + " logits");
        dlogits.requireShape("dlogits", m, n);
        double total = 0, count = (double) m * n;
        for (int i = 0; i < m; i++) {
            int r = logits.rowOffset(i), rd = dlogits.rowOffset(i);
            for (int j = 0; j < n; j++) {
                double x = logits.data()[r + j], y = targets[i * n + j];
                total += term.loss(x, y);
                dlogits.data()[rd + j] = (float) (term.gradient(x, y) / count);
            }
        }
        return total / count;
    }
}
