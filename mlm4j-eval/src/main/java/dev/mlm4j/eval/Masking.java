package dev.mlm4j.eval;

import java.util.Arrays;
import java.util.Random;

/**
 * Which word pieces of a sentence the masked-LM evaluation hides: {@code max(1, round(rate · n))} of its
 * {@code n} word pieces ([CLS]/[SEP] excluded), drawn uniformly without replacement. Each sentence draws
 * from its own generator, seeded from the run's seed and the sentence's key (its file and line), so a
 * sentence's positions do not depend on which other sentences are in the run or in what order.
 */
public final class Masking {
    private Masking() {}

    /** How many of {@code n} pieces are masked at {@code rate}. */
    public static int count(int n, double rate) {
        if (n < 1) throw new IllegalArgumentException("a sentence needs at least one word piece");
        if (!(rate > 0 && rate <= 1)) throw new IllegalArgumentException("mask rate must be in (0, 1], got " + rate);
        return (int) Math.max(1, Math.min(n, Math.round(rate * n)));
    }

    /** The masked piece indices in [0, n), ascending. */
    public static int[] positions(int n, double rate, long seed, long sentenceKey) {
        int k = count(n, rate);
        Random r = new Random(mix(seed, sentenceKey));
        int[] all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        for (int i = 0; i < k; i++) {                 // partial Fisher–Yates: the first k are a uniform k-subset
            int j = i + r.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] chosen = Arrays.copyOf(all, k);
        Arrays.sort(chosen);
        return chosen;
    }

    /** A stable key for sentence {@code index} of document {@code documentId} (String.hashCode is specified). */
    public static long key(String documentId, int index) {
        return ((long) documentId.hashCode() << 32) ^ index;
    }

    /** SplitMix64's finaliser over seed and key: nearby seeds and keys give unrelated generators. */
    static long mix(long seed, long key) {
        long z = seed * 0x9E3779B97F4A7C15L + key;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
