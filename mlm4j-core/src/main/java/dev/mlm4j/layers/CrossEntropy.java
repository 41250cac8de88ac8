package dev.mlm4j.layers;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;

/**
 * Cross-entropy over classes, as PyTorch's {@code nn.CrossEntropyLoss()} that transformers' heads use: the mean, over
 * the rows whose label is not {@link #IGNORE_INDEX}, of −log softmax(logits)[label]. Rows labelled −100 count for
 * nothing (the unmasked tokens of an MLM batch).
 */
public final class CrossEntropy {
    /** transformers' label for "no loss here". */
    public static final int IGNORE_INDEX = -100;

    private CrossEntropy() {}

    /**
     * The loss, and its gradient {@code dlogits = (softmax(logits) − onehot(label)) / counted} written for every row
     * (0 on ignored rows), on {@code k}'s {@link Kernels#crossEntropyBackward}. With no row counted the loss is NaN
     * (0/0, as PyTorch's) and dlogits is all zeros.
     *
     * @param logits  (m, classes)
     * @param labels  (m): a class in [0, classes) or {@link #IGNORE_INDEX}
     * @param dlogits (m, classes), written; may be logits itself
     */
    public static double lossAndGradient(Kernels k, FloatTensor logits, int[] labels, FloatTensor dlogits) {
        int m = logits.dim(0), c = logits.dim(1);
        if (labels.length != m) throw new IllegalArgumentException(labels.length + " labels for " + m + " rows of logits");
        dlogits.requireShape("dlogits", m, c);
        int counted = 0;
        for (int label : labels) {
            if (label == IGNORE_INDEX) continue;
            if (label < 0 || label >= c) throw new IllegalArgumentException("label " + label + " is outside [0, " + c + ") and not " + IGNORE_INDEX);
            counted++;
        }
        double[] terms = new double[m];                       // each row's −log p(label), added in order
        k.crossEntropyBackward(logits, labels, IGNORE_INDEX, counted == 0 ? 0f : (float) (1.0 / counted), dlogits, terms);
        double total = 0;
        for (int i = 0; i < m; i++) total += terms[i];
        return counted == 0 ? Double.NaN : total / counted;
    }
}
