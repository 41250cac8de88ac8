package dev.mlm4j.eval;

import java.util.Arrays;
import java.util.Random;

/**
 * The probes' classifier: multinomial logistic regression (a linear layer + softmax) over frozen features,
 * trained by mini-batch gradient descent with momentum on the cross-entropy plus an L2 penalty.
 *
 * <p>Features are standardised with the training set's mean and standard deviation first, so one learning
 * rate suits BERT's hidden states and word counts alike. The learning rate falls linearly to zero over the
 * run; examples are shuffled every epoch with the seed, so a run is reproducible. Nothing else is tuned:
 * the probes have no development set, and the defaults were fixed before looking at test scores.
 */
public final class SoftmaxRegression {

    /**
     * @param epochs       passes over the training set
     * @param batchSize    examples per gradient step
     * @param learningRate initial step size (on standardised features)
     * @param momentum     heavy-ball momentum
     * @param l2           weight decay on the weights (not the biases)
     * @param seed         shuffles the examples
     */
    public record Options(int epochs, int batchSize, double learningRate, double momentum, double l2, long seed) {
        public static final Options DEFAULT = new Options(20, 64, 0.05, 0.9, 1e-4, 1);

        public Options {
            if (epochs < 1 || batchSize < 1) throw new IllegalArgumentException("epochs and batch size must be at least 1");
            if (!(learningRate > 0) || momentum < 0 || momentum >= 1 || l2 < 0) {
                throw new IllegalArgumentException("need learning rate > 0, 0 ≤ momentum < 1, l2 ≥ 0");
            }
        }

        public Options withEpochs(int e) {
            return new Options(e, batchSize, learningRate, momentum, l2, seed);
        }

        public Options withSeed(long s) {
            return new Options(epochs, batchSize, learningRate, momentum, l2, s);
        }
    }

    private final int classes;
    private final int dims;
    private final float[] mean;     // (dims)
    private final float[] invStd;   // (dims)
    private final double[] w;       // (classes, dims)
    private final double[] b;       // (classes)
    private double trainLoss = Double.NaN;

    private SoftmaxRegression(int classes, int dims, float[] mean, float[] invStd) {
        this.classes = classes;
        this.dims = dims;
        this.mean = mean;
        this.invStd = invStd;
        this.w = new double[classes * dims];
        this.b = new double[classes];
    }

    /** Trains on rows {@code x} (n, dims) with labels {@code y} in [0, classes). */
    public static SoftmaxRegression train(float[][] x, int[] y, int classes, Options o, Meter meter, String label) {
        int n = x.length;
        if (n == 0) throw new IllegalArgumentException("no training examples");
        if (y.length != n) throw new IllegalArgumentException(n + " examples but " + y.length + " labels");
        if (classes < 2) throw new IllegalArgumentException("need at least two classes");
        int d = x[0].length;
        for (int i = 0; i < n; i++) {
            if (x[i].length != d) throw new IllegalArgumentException("example " + i + " has " + x[i].length + " features, not " + d);
            if (y[i] < 0 || y[i] >= classes) throw new IllegalArgumentException("label " + y[i] + " outside [0, " + classes + ")");
        }
        SoftmaxRegression m = new SoftmaxRegression(classes, d, new float[d], new float[d]);
        m.standardiseFrom(x);

        double[] vw = new double[classes * d], vb = new double[classes];
        double[] gw = new double[classes * d], gb = new double[classes];
        double[] z = new double[classes];
        float[] xs = new float[d];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Random r = new Random(o.seed());
        long steps = (long) o.epochs() * ((n + o.batchSize() - 1) / o.batchSize()), step = 0;
        meter.start(label, o.epochs(), "epochs");
        try {
            for (int epoch = 0; epoch < o.epochs(); epoch++) {
                for (int i = n - 1; i > 0; i--) {
                    int j = r.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                double loss = 0;
                for (int from = 0; from < n; from += o.batchSize()) {
                    int to = Math.min(n, from + o.batchSize());
                    Arrays.fill(gw, 0);
                    Arrays.fill(gb, 0);
                    for (int k = from; k < to; k++) {
                        int i = order[k];
                        m.standardise(x[i], xs);
                        m.logits(xs, z);
                        loss += softmaxInPlace(z, y[i]);
                        z[y[i]] -= 1;                               // ∂loss/∂logits = p − onehot
                        for (int c = 0; c < classes; c++) {
                            double g = z[c];
                            if (g == 0) continue;
                            gb[c] += g;
                            int off = c * d;
                            for (int j = 0; j < d; j++) gw[off + j] += g * xs[j];
                        }
                    }
                    double lr = o.learningRate() * (1 - (double) step++ / steps), inv = 1.0 / (to - from);
                    for (int q = 0; q < gw.length; q++) {
                        vw[q] = o.momentum() * vw[q] - lr * (gw[q] * inv + o.l2() * m.w[q]);
                        m.w[q] += vw[q];
                    }
                    for (int c = 0; c < classes; c++) {
                        vb[c] = o.momentum() * vb[c] - lr * gb[c] * inv;
                        m.b[c] += vb[c];
                    }
                }
                m.trainLoss = loss / n;
                meter.update(epoch + 1);
            }
        } finally {
            meter.finish();
        }
        return m;
    }

    private void standardiseFrom(float[][] x) {
        double[] s = new double[dims], s2 = new double[dims];
        for (float[] row : x) {
            for (int j = 0; j < dims; j++) {
                s[j] += row[j];
                s2[j] += (double) row[j] * row[j];
            }
        }
        for (int j = 0; j < dims; j++) {
            double mu = s[j] / x.length, var = Math.max(0, s2[j] / x.length - mu * mu);
            mean[j] = (float) mu;
            invStd[j] = var > 1e-12 ? (float) (1 / Math.sqrt(var)) : 1f;
        }
    }

    private void standardise(float[] in, float[] out) {
        for (int j = 0; j < dims; j++) out[j] = (in[j] - mean[j]) * invStd[j];
    }

    private void logits(float[] xs, double[] z) {
        for (int c = 0; c < classes; c++) {
            double acc = b[c];
            int off = c * dims;
            for (int j = 0; j < dims; j++) acc += w[off + j] * xs[j];
            z[c] = acc;
        }
    }

    /** z ← softmax(z); returns −ln z[target] (computed stably). */
    private static double softmaxInPlace(double[] z, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) max = Math.max(max, v);
        double sum = 0;
        for (int c = 0; c < z.length; c++) sum += Math.exp(z[c] - max);
        double logZ = max + Math.log(sum);
        double loss = logZ - z[target];
        for (int c = 0; c < z.length; c++) z[c] = Math.exp(z[c] - logZ);
        return loss;
    }

    /** Class probabilities for one example. */
    public double[] probabilities(float[] x) {
        checkDims(x);
        float[] xs = new float[dims];
        double[] z = new double[classes];
        standardise(x, xs);
        logits(xs, z);
        softmaxInPlace(z, 0);
        return z;
    }

    /** The most probable class of each row. */
    public int[] predict(float[][] x) {
        int[] out = new int[x.length];
        float[] xs = new float[dims];
        double[] z = new double[classes];
        for (int i = 0; i < x.length; i++) {
            checkDims(x[i]);
            standardise(x[i], xs);
            logits(xs, z);
            int best = 0;
            for (int c = 1; c < classes; c++) if (z[c] > z[best]) best = c;
            out[i] = best;
        }
        return out;
    }

    private void checkDims(float[] x) {
        if (x.length != dims) throw new IllegalArgumentException("example has " + x.length + " features, the model " + dims);
    }

    /** Mean cross-entropy over the training set during the last epoch. */
    public double trainLoss() {
        return trainLoss;
    }

    public int classes() {
        return classes;
    }
}
