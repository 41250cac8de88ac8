package dev.mlm4j.attention;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The seed chapter's worked example: "o cão corre" with one-dimensional embeddings x = [1, 2, 3] and
 * W_Q = W_K = W_V = 1 (so d_k = 1), and the numbers the chapter prints for it.
 *
 * <p>The chapter prints every row of A as ≈ [0.09, 0.24, 0.67] and every h as 2.58. That holds for
 * row 1 only: row i of QKᵀ is x_i · [1, 2, 3], so rows 2 and 3 are softmax([2, 4, 6]) and
 * softmax([3, 6, 9]). {@link #differences} says where a computed run departs from the printed numbers.
 */
public final class SeedExample {
    private SeedExample() {}

    public static final List<String> TOKENS = List.of("o", "cão", "corre");

    /** X (3, 1). */
    public static FloatTensor x() {
        return FloatTensor.of(new float[][] {{1}, {2}, {3}});
    }

    /** W_Q = W_K = W_V = (1, 1) identity. */
    public static SelfAttention attention() {
        FloatTensor one = FloatTensor.of(new float[][] {{1}});
        return SelfAttention.of(one, one, one);
    }

    /** What the chapter prints: A (every row the same) and h (every entry the same). */
    public static final float[][] PRINTED_A = {{0.09f, 0.24f, 0.67f}, {0.09f, 0.24f, 0.67f}, {0.09f, 0.24f, 0.67f}};
    public static final float[] PRINTED_H = {2.58f, 2.58f, 2.58f};

    /** The chapter rounds to two decimals; a printed value within this of the truth counts as right. */
    public static final double PRINT_TOLERANCE = 0.01;

    /** One place where the printed numbers disagree with the computation. */
    public record Difference(String what, int row, float[] printed, float[] computed) {}

    /** Rows of A and entries of h where the chapter's printed values are off by more than its rounding. */
    public static List<Difference> differences(SelfAttention.Steps steps) {
        List<Difference> out = new ArrayList<>();
        float[][] a = steps.probabilities()[0].toMatrix();
        float[][] h = steps.output().toMatrix();
        if (a.length != PRINTED_A.length) return out;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                if (Math.abs(a[i][j] - PRINTED_A[i][j]) > PRINT_TOLERANCE) {
                    out.add(new Difference("A", i, PRINTED_A[i], a[i]));
                    break;
                }
            }
        }
        for (int i = 0; i < h.length; i++) {
            if (Math.abs(h[i][0] - PRINTED_H[i]) > PRINT_TOLERANCE) {
                out.add(new Difference("h", i, new float[] {PRINTED_H[i]}, h[i]));
            }
        }
        return out;
    }

    /** Runs the example with the given mask. */
    public static SelfAttention.Steps run(Kernels kernels, AttentionMask mask) {
        return attention().steps(kernels, x(), mask);
    }
}
