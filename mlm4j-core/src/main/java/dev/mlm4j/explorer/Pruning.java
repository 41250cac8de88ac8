package dev.mlm4j.explorer;

/**
 * Which edges of a token graph are kept when it is listed or exported. Pruning only thins the edges: a
 * graph's in-strengths and entropies are always computed on all of its weights.
 *
 * @param threshold keep edges with weight ≥ threshold (0 keeps every non-zero edge)
 * @param topK      keep at most this many heaviest outgoing edges per node (0 = no limit)
 */
public record Pruning(double threshold, int topK) {

    public static final Pruning NONE = new Pruning(0, 0);

    public Pruning {
        if (!(threshold >= 0) || Double.isInfinite(threshold)) {
            throw new IllegalArgumentException("threshold must be ≥ 0, got " + threshold);
        }
        if (topK < 0) throw new IllegalArgumentException("top-k must be ≥ 0, got " + topK);
    }

    public static Pruning threshold(double t) {
        return new Pruning(t, 0);
    }

    public static Pruning topK(int k) {
        return new Pruning(0, k);
    }

    public Pruning andTopK(int k) {
        return new Pruning(threshold, k);
    }
}
