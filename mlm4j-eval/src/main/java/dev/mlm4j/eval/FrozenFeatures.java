package dev.mlm4j.eval;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.model.EncoderOutput;
import dev.mlm4j.tensor.FloatTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Features for the probes, read off a frozen model: the last layer's hidden state under a given attention
 * mask, and (from the same pass) the embedding layer's output — the token's vector before any attention,
 * which is the same under either mask.
 */
public final class FrozenFeatures {
    private FrozenFeatures() {}

    /** One sequence to featurise: ids with [CLS]/[SEP], and the token rows wanted from it. */
    public record Sequence(int[] ids, int[] rows) {}

    /** Per-row features: {@code last[i]} and {@code embeddings[i]} for the i-th wanted row, in input order. */
    public record Rows(float[][] last, float[][] embeddings) {}

    /**
     * The hidden states at the wanted rows of every sequence (for word-level probes: each word's first piece).
     * When {@code pool} is true each sequence yields one row instead: the mean over its wanted rows.
     */
    public static Rows extract(EvalModel model, List<Sequence> sequences, AttentionMask.Direction direction, boolean pool,
                               int batchTokens, Meter meter, String label) {
        List<float[]> last = new ArrayList<>(), emb = new ArrayList<>();
        meter.start(label, sequences.size(), pool ? "passages" : "sentences");
        try {
            int from = 0;
            while (from < sequences.size()) {
                int to = from, tokens = 0;
                while (to < sequences.size() && (to == from || tokens + sequences.get(to).ids().length <= batchTokens)) {
                    tokens += sequences.get(to++).ids().length;
                }
                int[][] ids = new int[to - from][];
                for (int s = from; s < to; s++) ids[s - from] = sequences.get(s).ids();
                EncoderOutput out = model.forward(ids, direction, true);
                FloatTensor top = out.lastHiddenState(), bottom = out.hiddenStates().getFirst();   // (T, hidden) each
                for (int s = from; s < to; s++) {
                    int base = out.batch().offset(s - from);
                    int[] rows = sequences.get(s).rows();
                    if (pool) {
                        last.add(mean(top, base, rows));
                        emb.add(mean(bottom, base, rows));
                    } else {
                        for (int r : rows) {
                            last.add(row(top, base + r));
                            emb.add(row(bottom, base + r));
                        }
                    }
                }
                from = to;
                meter.update(from);
            }
        } finally {
            meter.finish();
        }
        return new Rows(last.toArray(float[][]::new), emb.toArray(float[][]::new));
    }

    private static float[] row(FloatTensor t, int r) {
        float[] v = new float[t.dim(1)];
        System.arraycopy(t.data(), t.rowOffset(r), v, 0, v.length);
        return v;
    }

    private static float[] mean(FloatTensor t, int base, int[] rows) {
        int h = t.dim(1);
        double[] acc = new double[h];
        for (int r : rows) {
            int off = t.rowOffset(base + r);
            for (int j = 0; j < h; j++) acc[j] += t.data()[off + j];
        }
        float[] v = new float[h];
        for (int j = 0; j < h; j++) v[j] = (float) (acc[j] / rows.length);
        return v;
    }
}
