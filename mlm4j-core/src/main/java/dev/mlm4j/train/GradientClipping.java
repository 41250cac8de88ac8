package dev.mlm4j.train;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;

import java.util.ArrayList;
import java.util.List;

/** Gradient scaling by global norm, as {@code torch.nn.utils.clip_grad_norm_} (L2 norm over every gradient together). */
public final class GradientClipping {
    private GradientClipping() {}

    /**
     * The L2 norm of every gradient in {@code g} taken as one vector: sums of squares in double over fixed pieces of
     * each tensor ({@link Kernels#sumOfSquares}, the process's kernels), computed in parallel and added in order (the
     * same number whatever the thread count).
     */
    public static double globalNorm(Gradients g) {
        return globalNorm(g, Kernels.get());
    }

    /** {@link #globalNorm(Gradients)} on {@code kernels}' {@link Kernels#sumOfSquares}. */
    public static double globalNorm(Gradients g, Kernels kernels) {
        List<Piece> pieces = pieces(g);
        double[] sums = new double[pieces.size()];
        Parallel.forEach(pieces.size(), i -> sums[i] = kernels.sumOfSquares(pieces.get(i).d, pieces.get(i).from, pieces.get(i).to));
        double sum = 0;
        for (double s : sums) sum += s;
        return Math.sqrt(sum);
    }

    /** Every gradient cut into contiguous pieces of at most 2¹⁶ floats, in the order {@link Gradients#all()} gives. */
    private static List<Piece> pieces(Gradients g) {
        List<Piece> out = new ArrayList<>();
        for (FloatTensor t : g.all().values()) {
            for (int from = 0; from < t.size(); from += PIECE) out.add(new Piece(t.data(), t.offset() + from, t.offset() + Math.min(t.size(), from + PIECE)));
        }
        return out;
    }

    private static final int PIECE = 1 << 16;

    /** The floats d[from, to) of one gradient. */
    private record Piece(float[] d, int from, int to) {}

    /**
     * Scales every gradient by {@code min(1, maxNorm / (norm + 1e-6))}, torch's clip coefficient, so the global norm is
     * at most {@code maxNorm}; returns the norm before clipping.
     */
    public static double clip(Gradients g, double maxNorm) {
        double norm = globalNorm(g);
        float f = factor(norm, maxNorm);
        if (f != 1f) scale(g, f);
        return norm;
    }

    /**
     * The float every gradient is multiplied by to clip a global norm {@code norm} to {@code maxNorm}: torch's
     * coefficient {@code maxNorm / (norm + 1e-6)} when it is below 1, else exactly 1 (no scaling). {@link #clip} scales
     * by it in place; the {@link Trainer} hands it to {@link AdamW#step(dev.mlm4j.tensor.Parameters, Gradients, double, float)}
     * instead, which multiplies each gradient by it as it reads it (the same products, one pass over the gradients fewer).
     */
    public static float factor(double norm, double maxNorm) {
        double coefficient = maxNorm / (norm + 1e-6);
        return coefficient < 1 ? (float) coefficient : 1f;
    }

    /** Multiplies every gradient by {@code factor} (gradient accumulation's 1 / micro-batches). */
    public static void scale(Gradients g, double factor) {
        float f = (float) factor;
        List<Piece> pieces = pieces(g);
        Parallel.forEach(pieces.size(), i -> {
            Piece p = pieces.get(i);
            for (int j = p.from; j < p.to; j++) p.d[j] *= f;
        });
    }
}
