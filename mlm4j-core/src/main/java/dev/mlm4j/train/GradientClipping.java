package dev.mlm4j.train;

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
     * each tensor, computed in parallel and added in order (the same number whatever the thread count).
     */
    public static double globalNorm(Gradients g) {
        List<Piece> pieces = pieces(g);
        double[] sums = new double[pieces.size()];
        Parallel.forEach(pieces.size(), i -> {
            Piece p = pieces.get(i);
            double sum = 0;
            for (int j = p.from; j < p.to; j++) sum += (double) p.d[j] * p.d[j];
            sums[i] = sum;
        });
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
        double coefficient = maxNorm / (norm + 1e-6);
        if (coefficient < 1) scale(g, coefficient);
        return norm;
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
