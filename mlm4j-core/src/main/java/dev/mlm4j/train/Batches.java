package dev.mlm4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Packed variable-length batches by a token budget: the sequences of an epoch in a seeded order, taken in turn into a
 * batch until the next one would pass {@code batchTokens} (a longer sequence is a batch on its own). No padding: a
 * batch's tokens are the sum of its sequences' lengths ({@link dev.mlm4j.config.Batch} packs them). The order and every
 * random draw of a batch (its masks) follow from the seed, the epoch and the batch's index alone, so a run is
 * reproducible and a resumed run continues where the first one stopped without saving a generator's state.
 */
public final class Batches {
    private Batches() {}

    /** The sequences' indices in batches for one epoch: shuffled by ({@code seed}, {@code epoch}) when {@code shuffle}. */
    public static List<int[]> plan(List<Sequence> sequences, int batchTokens, long seed, int epoch, boolean shuffle) {
        if (batchTokens < 1) throw new IllegalArgumentException("--batch-tokens must be at least 1, got " + batchTokens);
        int n = sequences.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (shuffle) {
            SplittableRandom r = random(seed, epoch, -1);
            for (int i = n - 1; i > 0; i--) {                  // Fisher–Yates
                int j = r.nextInt(i + 1), t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        List<int[]> out = new ArrayList<>();
        int from = 0, tokens = 0;
        for (int i = 0; i < n; i++) {
            int len = sequences.get(order[i]).length();
            if (i > from && tokens + len > batchTokens) {
                out.add(java.util.Arrays.copyOfRange(order, from, i));
                from = i;
                tokens = 0;
            }
            tokens += len;
        }
        if (from < n) out.add(java.util.Arrays.copyOfRange(order, from, n));
        return out;
    }

    /** The sequences of one planned batch. */
    public static List<Sequence> of(List<Sequence> sequences, int[] batch) {
        List<Sequence> out = new ArrayList<>(batch.length);
        for (int i : batch) out.add(sequences.get(i));
        return out;
    }

    /** The generator of batch {@code index} of {@code epoch} (−1: the epoch's order), from the run's seed alone. */
    public static SplittableRandom random(long seed, int epoch, int index) {
        long z = seed * 0x9E3779B97F4A7C15L + (epoch + 1L) * 0xC2B2AE3D27D4EB4FL + (index + 2L) * 0x165667B19E3779F9L;
        return new SplittableRandom(z);
    }
}
