package dev.mlm4j.train;

import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;

/** Gradient scaling by global norm, as {@code torch.nn.utils.clip_grad_norm_} (L2 norm over every gradient together). */
public final class GradientClipping {
    private GradientClipping() {}

    /** The L2 norm of every gradient in {@code g} taken as one vector (summed in double). */
    public static double globalNorm(Gradients g) {
        double sum = 0;
        for (FloatTensor t : g.all().values()) {
            float[] d = t.data();
            for (int i = t.offset(), end = t.offset() + t.size(); i < end; i++) sum += (double) d[i] * d[i];
        }
        return Math.sqrt(sum);
    }

    /**
     * Scales every gradient by {@code min(1, maxNorm / (norm + 1e-6))}, torch's clip coefficient, so the global norm is
     * at most {@code maxNorm}; returns the norm before clipping.
     */
    public static double clip(Gradients g, double maxNorm) {
        double norm = globalNorm(g);
        double coefficient = maxNorm / (norm + 1e-6);
        if (coefficient < 1) scale(g, coefficient);
        return norm;
    }

    /** Multiplies every gradient by {@code factor} (gradient accumulation's 1 / micro-batches). */
    public static void scale(Gradients g, double factor) {
        float f = (float) factor;
        for (FloatTensor t : g.all().values()) {
            float[] d = t.data();
            for (int i = t.offset(), end = t.offset() + t.size(); i < end; i++) d[i] *= f;
        }
    }
}
