package dev.mlm4j.attention;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;
import net.jqwik.api.*;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The seed's Theorem 1: without positional information, bidirectional self-attention is permutation
 * equivariant: A(πX) = P·A(X)·Pᵀ and h(πX) = P·h(X). And the two ways it must break: the causal mask,
 * and positional embeddings added to X.
 */
class PermutationEquivarianceTest {

    record Case(FloatTensor x, SelfAttention att, int[] perm) {
        @Override
        public String toString() {
            return "n=" + x.dim(0) + " d=" + x.dim(1) + " heads=" + att.heads() + " perm=" + java.util.Arrays.toString(perm);
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(Arbitraries.integers().between(2, 24), Arbitraries.integers().between(1, 3),
                        Arbitraries.integers().between(1, 4), Arbitraries.longs())
                .as((n, dPerHead, heads, seed) -> {
                    Random r = new Random(seed);
                    int d = dPerHead * heads * 2;
                    FloatTensor x = gaussian(r, n, d);
                    SelfAttention att = new SelfAttention(gaussian(r, d, d), gaussian(r, d, d), gaussian(r, d, d),
                            gaussian(r, d), gaussian(r, d), gaussian(r, d), heads);
                    List<Integer> idx = new ArrayList<>();
                    for (int i = 0; i < n; i++) idx.add(i);
                    Collections.shuffle(idx, r);
                    int[] perm = idx.stream().mapToInt(Integer::intValue).toArray();
                    return new Case(x, att, perm);
                });
    }

    static FloatTensor gaussian(Random r, int... shape) {
        FloatTensor t = FloatTensor.zeros(shape);
        for (int i = 0; i < t.data().length; i++) t.data()[i] = (float) (r.nextGaussian() * 0.5);
        return t;
    }

    /** Rows of x reordered: (πX)_i = X_{π(i)}. */
    static FloatTensor permuteRows(FloatTensor x, int[] perm) {
        FloatTensor out = FloatTensor.zeros(x.dim(0), x.dim(1));
        for (int i = 0; i < perm.length; i++) for (int j = 0; j < x.dim(1); j++) out.set(x.at(perm[i], j), i, j);
        return out;
    }

    /** P·A·Pᵀ: (PAPᵀ)_ij = A_{π(i)π(j)}. */
    static FloatTensor permuteBoth(FloatTensor a, int[] perm) {
        FloatTensor out = FloatTensor.zeros(a.dim(0), a.dim(1));
        for (int i = 0; i < perm.length; i++) for (int j = 0; j < perm.length; j++) out.set(a.at(perm[i], perm[j]), i, j);
        return out;
    }

    static double maxDiff(FloatTensor a, FloatTensor b) {
        double m = 0;
        float[] x = a.toArray(), y = b.toArray();
        for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
        return m;
    }

    @Property(tries = 200)
    void bidirectionalAttentionIsPermutationEquivariant(@ForAll("cases") Case c) {
        Kernels k = Kernels.get();
        var plain = c.att().steps(k, c.x(), AttentionMask.BIDIRECTIONAL);
        var permuted = c.att().steps(k, permuteRows(c.x(), c.perm()), AttentionMask.BIDIRECTIONAL);
        for (int h = 0; h < c.att().heads(); h++) {
            double dA = maxDiff(permuted.probabilities()[h], permuteBoth(plain.probabilities()[h], c.perm()));
            assertTrue(dA <= 1e-5, "A(πX) vs P·A(X)·Pᵀ, head " + h + ": " + dA);
        }
        double dh = maxDiff(permuted.output(), permuteRows(plain.output(), c.perm()));
        assertTrue(dh <= 1e-5, "h(πX) vs P·h(X)" + ": " + dh);
    }

    @Property(tries = 100)
    void causalMaskBreaksEquivariance(@ForAll("cases") Case c) {
        Assume.that(!isIdentity(c.perm()));
        Kernels k = Kernels.get();
        var plain = c.att().steps(k, c.x(), AttentionMask.CAUSAL);
        var permuted = c.att().steps(k, permuteRows(c.x(), c.perm()), AttentionMask.CAUSAL);
        // Both are lower-triangular; PAPᵀ of a lower-triangular A is not, unless π is the identity.
        double dA = maxDiff(permuted.probabilities()[0], permuteBoth(plain.probabilities()[0], c.perm()));
        assertTrue(dA > 1e-3, "causal attention must not be equivariant" + ": " + dA);
    }

    @Property(tries = 100)
    void positionalEmbeddingsBreakEquivariance(@ForAll("cases") Case c) {
        Assume.that(!isIdentity(c.perm()));
        Kernels k = Kernels.get();
        int n = c.x().dim(0), d = c.x().dim(1);
        FloatTensor pos = FloatTensor.zeros(n, d);                 // sinusoidal positions, as in the Transformer paper
        for (int p = 0; p < n; p++) for (int i = 0; i < d; i++) {
            double angle = p / Math.pow(10000, (2 * (i / 2)) / (double) d);
            pos.set((float) (i % 2 == 0 ? Math.sin(angle) : Math.cos(angle)), p, i);
        }
        FloatTensor xPos = c.x().copy(), pxPos = permuteRows(c.x(), c.perm());
        k.add(xPos, pos);
        k.add(pxPos, pos);                                        // positions stay with slots, not with tokens
        var plain = c.att().steps(k, xPos, AttentionMask.BIDIRECTIONAL);
        var permuted = c.att().steps(k, pxPos, AttentionMask.BIDIRECTIONAL);
        double dh = maxDiff(permuted.output(), permuteRows(plain.output(), c.perm()));
        assertTrue(dh > 1e-3, "with positions, h(πX) must differ from P·h(X)" + ": " + dh);
    }

    static boolean isIdentity(int[] perm) {
        for (int i = 0; i < perm.length; i++) if (perm[i] != i) return false;
        return true;
    }
}
