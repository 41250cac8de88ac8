package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;

import java.util.function.IntToDoubleFunction;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Double-precision central differences for the backward tests: the numeric gradient of a double loss, and its comparison. */
public final class FiniteDifferences {
    private static final double H = 1e-6;

    private FiniteDifferences() {}

    /** dL/dx[i] for every element of x by central differences of {@code loss} in double, x perturbed in place and restored. */
    public static double[] numeric(double[] x, ToDoubleFunction<double[]> loss) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double keep = x[i];
            x[i] = keep + H;
            double up = loss.applyAsDouble(x);
            x[i] = keep - H;
            double down = loss.applyAsDouble(x);
            x[i] = keep;
            g[i] = (up - down) / (2 * H);
        }
        return g;
    }

    /**
     * Asserts max |analytic − numeric| ≤ {@code tolerance} · max |numeric| over the tensor (the kernels return float32),
     * naming the worst element; fails too if the numeric gradient is all zero (the check would check nothing).
     */
    public static void assertGradient(String what, double[] numeric, FloatTensor analytic, double tolerance) {
        float[] a = analytic.toArray();
        Discrepancy d = Discrepancy.of(a.length, i -> numeric[i], i -> a[i]);
        assertTrue(d.max() > 0, what + ": the numeric gradient is all zero, the test checks nothing");
        if (d.worst() / d.max() > tolerance) {
            fail(what + ": max relative error " + d.worst() / d.max() + " at element " + d.at() + " (analytic " + a[d.at()] + ", numeric " + numeric[d.at()] + ")");
        }
    }

    /** The elements as doubles, row-major. */
    public static double[] doubles(FloatTensor t) {
        float[] f = t.toArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /** Σ r ⊙ y: the loss whose gradient at y is r. */
    public static double dot(double[] r, double[] y) {
        double s = 0;
        for (int i = 0; i < r.length; i++) s += r[i] * y[i];
        return s;
    }

    /** Over n elements: the largest |reference|, the largest |got − reference| and the element where it is. */
    public record Discrepancy(double max, double worst, int at) {
        public static Discrepancy of(int n, IntToDoubleFunction reference, IntToDoubleFunction got) {
            double max = 0, worst = 0;
            int at = 0;
            for (int i = 0; i < n; i++) {
                double want = reference.applyAsDouble(i), d = Math.abs(got.applyAsDouble(i) - want);
                max = Math.max(max, Math.abs(want));
                if (d > worst) {
                    worst = d;
                    at = i;
                }
            }
            return new Discrepancy(max, worst, at);
        }
    }
}
