package dev.mlm4j.pipelines;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.attention.SeedExample;
import dev.mlm4j.attention.SelfAttention;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;

import java.util.Arrays;
import java.util.List;

/**
 * The seed chapter's attention recipe on small matrices, every step kept: Q, K, V, QKᵀ, QKᵀ/√d_k, the masked scores,
 * A = softmax(rows) and h = AV — and, for the chapter's own worked example ("o cão corre", x = [1, 2, 3],
 * W_Q = W_K = W_V = 1), where the chapter's printed numbers are wrong. Matrices are plain {@code float[rows][cols]}.
 */
public final class AttentionExample {
    private AttentionExample() {}

    /** The tokens of the seed's example. */
    public static final List<String> SEED_TOKENS = SeedExample.TOKENS;

    /** The seed's X (3 × 1): x = [1, 2, 3]. */
    public static float[][] seedX() {
        return SeedExample.x().toMatrix();
    }

    /**
     * Every step of one run; per-head matrices are indexed {@code [head][row][col]}.
     *
     * @param maskedScores the scaled scores after the mask, −∞ where a token may not look
     */
    public record Steps(float[][] q, float[][] k, float[][] v, float[][][] rawScores, float[][][] scaledScores,
                        float[][][] maskedScores, float[][][] probabilities, float[][] output) {}

    /** One place where the chapter's printed numbers disagree with the computation (rows count from 0). */
    public record Difference(String what, int row, float[] printed, float[] computed) {}

    /**
     * Runs X through W_Q, W_K, W_V split into {@code heads} heads, with the causal or the bidirectional mask.
     *
     * @throws IllegalArgumentException when the shapes do not fit
     */
    public static Steps run(float[][] x, float[][] wq, float[][] wk, float[][] wv, int heads, boolean causal) {
        return steps(new SelfAttention(FloatTensor.of(wq), FloatTensor.of(wk), FloatTensor.of(wv), null, null, null, heads)
                .steps(Kernels.get(), FloatTensor.of(x), AttentionMask.of(causal)));
    }

    /** The seed's example run, and where the chapter's printed numbers differ (none under the causal mask: it prints the bidirectional run). */
    public record Seed(Steps steps, List<Difference> differences) {}

    /** Runs the seed's worked example (x = [1, 2, 3], W_Q = W_K = W_V = 1, one head) with the causal or the bidirectional mask. */
    public static Seed seed(boolean causal) {
        SelfAttention.Steps s = SeedExample.run(Kernels.get(), AttentionMask.of(causal));
        List<Difference> diffs = causal ? List.of() : SeedExample.differences(s).stream()
                .map(d -> new Difference(d.what(), d.row(), d.printed(), d.computed())).toList();
        return new Seed(steps(s), diffs);
    }

    private static Steps steps(SelfAttention.Steps s) {
        return new Steps(s.q().toMatrix(), s.k().toMatrix(), s.v().toMatrix(), matrices(s.rawScores()), matrices(s.scaledScores()),
                matrices(s.maskedScores()), matrices(s.probabilities()), s.output().toMatrix());
    }

    private static float[][][] matrices(FloatTensor[] heads) {
        return Arrays.stream(heads).map(FloatTensor::toMatrix).toArray(float[][][]::new);
    }
}
