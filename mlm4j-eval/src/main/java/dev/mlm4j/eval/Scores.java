package dev.mlm4j.eval;

/** Classification scores for the probes. */
public final class Scores {
    private Scores() {}

    public static double accuracy(int[] predicted, int[] gold) {
        check(predicted, gold);
        int right = 0;
        for (int i = 0; i < gold.length; i++) if (predicted[i] == gold[i]) right++;
        return gold.length == 0 ? Double.NaN : (double) right / gold.length;
    }

    /**
     * The unweighted mean over classes of F1 = 2PR / (P + R), counting only classes that occur in the gold
     * labels or the predictions (a class nobody predicts and nothing has scores 0 and is left out).
     */
    public static double macroF1(int[] predicted, int[] gold, int classes) {
        check(predicted, gold);
        long[] tp = new long[classes], fp = new long[classes], fn = new long[classes];
        for (int i = 0; i < gold.length; i++) {
            if (predicted[i] == gold[i]) tp[gold[i]]++;
            else {
                fp[predicted[i]]++;
                fn[gold[i]]++;
            }
        }
        double sum = 0;
        int counted = 0;
        for (int c = 0; c < classes; c++) {
            if (tp[c] + fp[c] + fn[c] == 0) continue;
            counted++;
            sum += tp[c] == 0 ? 0 : 2.0 * tp[c] / (2.0 * tp[c] + fp[c] + fn[c]);
        }
        return counted == 0 ? Double.NaN : sum / counted;
    }

    /** The most frequent label (the smallest on ties). */
    public static int majority(int[] labels, int classes) {
        int[] count = new int[classes];
        for (int y : labels) count[y]++;
        int best = 0;
        for (int c = 1; c < classes; c++) if (count[c] > count[best]) best = c;
        return best;
    }

    private static void check(int[] predicted, int[] gold) {
        if (predicted.length != gold.length) throw new IllegalArgumentException(predicted.length + " predictions for " + gold.length + " labels");
    }
}
