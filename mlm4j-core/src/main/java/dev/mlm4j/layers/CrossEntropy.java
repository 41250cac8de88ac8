package dev.mlm4j.layers;

import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.tensor.FloatTensor;

/**
 * Cross-entropy over classes, as PyTorch's {@code nn.CrossEntropyLoss()} that transformers' heads use: the mean, over
 * the rows whose label is not {@link #IGNORE_INDEX}, of −log softmax(logits)[label]. Rows labelled −100 count for
 * nothing (the unmasked tokens of an MLM batch). Sums run in double.
 */
public final class CrossEntropy {
    /** transformers' label for "no loss here". */
    public static final int IGNORE_INDEX = -100;

    private CrossEntropy() {}

    /**
     * The loss, and its gradient {@code dlogits = (softmax(logits) − onehot(label)) / counted} written for every row
     * (0 on ignored rows). With no row counted the loss is NaN (0/0, as PyTorch's) and dlogits is all zeros.
     *
     * @param logits  (m, classes)
     * @param labels  (m): a class in [0, classes) or {@link #IGNORE_INDEX}
     * @param dlogits (m, classes), written; may be logits itself
     */
    public static double lossAndGradient(FloatTensor logits, int[] labels, FloatTensor dlogits) {
        int m = logits.dim(0), c = logits.dim(1);
        if (labels.length != m) throw new IllegalArgumentException(labels.length + " labels for " + m + " rows of logits");
        dlogits.requireShape("dlogits", m, c);
        int counted = 0;
        for (int label : labels) {
            if (label == IGNORE_INDEX) continue;
            if (label < 0 || label >= c) throw new IllegalArgumentException("label " + label + " is outside [0, " + c + ") and not " + IGNORE_INDEX);
            counted++;
        }
        double[] terms = new double[m];                       // each row's −log p(label); rows in parallel, added in order
        int n = counted;
        Parallel.forRange(m, Math.max(1, (1 << 15) / Math.max(1, c)), (i0, i1) -> {
            double[] p = new double[c];
            for (int i = i0; i < i1; i++) {
                int r = logits.rowOffset(i), rd = dlogits.rowOffset(i);
                if (labels[i] == IGNORE_INDEX) {
                    java.util.Arrays.fill(dlogits.data(), rd, rd + c, 0f);
                    continue;
                }
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < c; j++) max = Math.max(max, logits.data()[r + j]);
                for (int j = 0; j < c; j++) sum += p[j] = Math.exp(logits.data()[r + j] - max);
                terms[i] = Math.log(sum) + max - logits.data()[r + labels[i]];
                for (int j = 0; j < c; j++) dlogits.data()[rd + j] = (float) ((p[j] / sum - (j == labels[i] ? 1 : 0)) / n);
            }
        });
        double total = 0;
        for (int i = 0; i < m; i++) if (labels[i] != IGNORE_INDEX) total += terms[i];
        return counted == 0 ? Double.NaN : total / counted;
    }
}
