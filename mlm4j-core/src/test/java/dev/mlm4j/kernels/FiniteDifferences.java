package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;

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
        double max = 0, worst = 0;
        int at = 0;
        for (double v : numeric) max = Math.max(max, Math.abs(v));
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs(a[i] - numeric[i]);
            if (d > worst) {
                worst = d;
                at = i;
            }
        }
        assertTrue(max > 0, what + ": the numeric gradient is all zero, the test checks nothing");
        if (worst / max > tolerance) {
            fail(what + ": max relative error " + worst / max + " at element " + at + " (analytic " + a[at] + ", numeric " + numeric[at] + ")");
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
}
