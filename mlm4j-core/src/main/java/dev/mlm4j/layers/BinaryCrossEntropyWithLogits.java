package dev.mlm4j.layers;

import dev.mlm4j.tensor.FloatTensor;

/**
 * Binary cross-entropy on logits, as PyTorch's {@code nn.BCEWithLogitsLoss()} that transformers' sequence classifiers
 * use for {@code problem_type} "multi_label_classification": each logit x is a label's own yes/no, its target y in
 * [0, 1] (multi-hot), and the loss is the mean over every element of −[y log σ(x) + (1 − y) log(1 − σ(x))], computed
 * as PyTorch does in the stable form max(x, 0) − x·y + log(1 + e^−|x|). Sums run in double.
 */
public final class BinaryCrossEntropyWithLogits {
    private BinaryCrossEntropyWithLogits() {}

    /**
     * The loss, and its gradient {@code dlogits = (σ(logits) − targets) / (m · n)} for every element.
     *
     * @param logits  (m, n)
     * @param targets (m · n) row-major: the target of logit (i, j) at {@code i · n + j}, in [0, 1]
     * @param dlogits (m, n), written; may be logits itself
     */
    public static double lossAndGradient(FloatTensor logits, float[] targets, FloatTensor dlogits) {
        return ElementwiseLoss.mean(logits, targets, dlogits, TERM);
    }

    private static final ElementwiseLoss.Term TERM = new ElementwiseLoss.Term() {
        @Override
        public double loss(double x, double y) {
            return Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
        }

        @Override
        public double gradient(double x, double y) {
            return sigmoid(x) - y;
        }
    };

    /** 1 / (1 + e^−x), without overflow for large |x|. */
    public static double sigmoid(double x) {
        if (x >= 0) return 1 / (1 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1 + e);
    }
}
