package dev.mlm4j.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.Precision;
import dev.mlm4j.model.EncoderOutput;
import dev.mlm4j.model.ForwardOptions;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.tensor.FloatTensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Theorem 1 on a trained model: self-attention without position information is permutation-equivariant. For held-out
 * sentences X = [CLS] w₁ … wₙ [SEP] and a seeded random permutation π of the word pieces between [CLS] and [SEP]
 * (the specials stay in place, which is still a permutation of the whole sequence), (πX)ᵢ = X_π(i), it measures
 * <ul>
 * <li>the last hidden state: max over rows and dimensions of |h(πX)ᵢ − h(X)_π(i)| / max|h(X)| (h(πX) against P·h(X));</li>
 * <li>layer 1's attention, every head: max |A(πX)ᵢⱼ − A(X)_π(i)π(j)| / max|A(X)| (A(πX) against P·A(X)·Pᵀ);</li>
 * </ul>
 * each a maximum per sentence, reported as the maximum and the mean over sentences. A model without position
 * embeddings (config.json {@code "mlm4j_position_embeddings": "none"}) gives float rounding (~1e-6); with positions the
 * tokens' places matter and the values are of order 1. The model runs as its config says (a causal model is causal,
 * and so not equivariant either).
 */
public final class Permutation {
    private Permutation() {}

    /** The largest and the mean per-sentence deviation of one quantity. */
    public record Deviation(double max, double mean) {}

    /** What one run measured. */
    public record Report(String model, String positions, boolean causal, int sentences, long seed, Deviation hidden,
                         Deviation attention, RunInfo run) {
        public String markdown() {
            StringBuilder sb = new StringBuilder();
            sb.append("### Theorem 1: permutation equivariance of ").append(model).append("\n\n");
            sb.append("Position embeddings: ").append(positions).append("; attention: ").append(causal ? "causal" : "bidirectional")
                    .append("; ").append(sentences).append(" held-out sentences, each with one random permutation of its word pieces (seed ")
                    .append(seed).append("; [CLS] and [SEP] stay in place).\n\n");
            sb.append("| quantity | max over sentences | mean over sentences |\n| --- | ---: | ---: |\n");
            sb.append(String.format(Locale.ROOT, "| last hidden state: max\\|h(πX) − P·h(X)\\| / max\\|h(X)\\| | %.2e | %.2e |%n", hidden.max(), hidden.mean()));
            sb.append(String.format(Locale.ROOT, "| layer-1 attention: max\\|A(πX) − P·A(X)·Pᵀ\\| / max\\|A(X)\\| | %.2e | %.2e |%n", attention.max(), attention.mean()));
            sb.append("\n").append(run.markdownLine()).append("\n");
            return sb.toString();
        }

        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", model);
            m.put("position_embeddings", positions);
            m.put("causal", causal);
            m.put("sentences", sentences);
            m.put("seed", seed);
            m.put("last_hidden_state", Map.of("max", hidden.max(), "mean", hidden.mean()));
            m.put("layer1_attention", Map.of("max", attention.max(), "mean", attention.mean()));
            m.put("run", run.toJson());
            return m;
        }
    }

    /**
     * Runs the measurement on {@code sentences} sentences drawn (seeded) from the held-out files of {@code corpus}
     * ({@link Split#test()}); sentences of fewer than 3 word pieces are passed over, longer ones cut to the model's length.
     * {@code run} (the command and the machine) is finished with the elapsed time.
     */
    public static Report run(Corpus corpus, String modelName, int sentences, long seed, RunInfo run) throws IOException {
        long start = System.nanoTime();
        if (sentences < 1) throw new IllegalArgumentException("--sentences must be at least 1, got " + sentences);
        EvalModel tokens = EvalModel.loadEncoder(modelName, null);
        Models.Loaded loaded = Models.load(modelName, null, Precision.fromProperty());
        List<Corpus.Sentence> pool = new ArrayList<>();
        for (Corpus.Document d : Split.of(corpus).test()) pool.addAll(d.sentences());
        if (pool.isEmpty()) throw new IllegalArgumentException("no held-out sentence in the corpus: each genre needs at least two files");
        Random random = new Random(seed);
        Collections.shuffle(pool, random);
        List<Double> dh = new ArrayList<>(), da = new ArrayList<>();
        for (Corpus.Sentence s : pool) {
            if (dh.size() == sentences) break;
            int[] pieces = tokens.pieces(s.text());
            if (pieces.length < 3) continue;
            if (pieces.length > tokens.maxLength() - 2) pieces = java.util.Arrays.copyOf(pieces, tokens.maxLength() - 2);
            int[] x = tokens.withSpecials(pieces), pi = permutation(x.length, random), px = new int[x.length];
            for (int i = 0; i < x.length; i++) px[i] = x[pi[i]];
            EncoderOutput a = forward(loaded, x), b = forward(loaded, px);
            dh.add(hiddenDeviation(a.lastHiddenState(), b.lastHiddenState(), pi));
            da.add(attentionDeviation(a.attentions().getFirst()[0], b.attentions().getFirst()[0], pi));
        }
        if (dh.isEmpty()) throw new IllegalArgumentException("no held-out sentence of at least 3 word pieces");
        return new Report(tokens.name(), positions(modelName), loaded.encoder().config().isDecoder(), dh.size(), seed,
                deviation(dh), deviation(da), run.finished(System.nanoTime() - start));
    }

    private static EncoderOutput forward(Models.Loaded m, int[] ids) {
        return m.encoder().forward(Batch.of(new int[][] {ids}, null), ForwardOptions.DEFAULT.withAttentions());
    }

    /** A uniformly random permutation of 0 … n−1 that fixes 0 and n−1 ([CLS], [SEP]) and moves the rest (Fisher–Yates). */
    static int[] permutation(int n, Random random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 2; i > 1; i--) {
            int j = 1 + random.nextInt(i);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** max |b[i][d] − a[π(i)][d]| / max |a| over a sequence's (len, hidden) states. */
    static double hiddenDeviation(FloatTensor a, FloatTensor b, int[] pi) {
        int n = pi.length, h = a.dim(1);
        double diff = 0, scale = 0;
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < h; d++) {
                float ai = a.data()[a.rowOffset(pi[i]) + d], bi = b.data()[b.rowOffset(i) + d];
                diff = Math.max(diff, Math.abs(bi - ai));
                scale = Math.max(scale, Math.abs(a.data()[a.rowOffset(i) + d]));
            }
        }
        return diff / scale;
    }

    /** max |B[h][i][j] − A[h][π(i)][π(j)]| / max |A| over (heads, len, len) attention probabilities. */
    static double attentionDeviation(FloatTensor a, FloatTensor b, int[] pi) {
        int heads = a.dim(0), n = pi.length;
        double diff = 0, scale = 0;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    diff = Math.max(diff, Math.abs(b.get(h, i, j) - a.get(h, pi[i], pi[j])));
                    scale = Math.max(scale, Math.abs(a.get(h, i, j)));
                }
            }
        }
        return diff / scale;
    }

    private static Deviation deviation(List<Double> values) {
        return new Deviation(values.stream().mapToDouble(Double::doubleValue).max().orElse(0),
                values.stream().mapToDouble(Double::doubleValue).average().orElse(0));
    }

    /** "none" when config.json says {@code mlm4j_position_embeddings: none}, else "absolute" (BERT's learned table). */
    private static String positions(String model) throws IOException {
        Path config = Models.resolve(model, null).resolve("config.json");
        if (!Files.isRegularFile(config)) return "absolute";
        JsonNode c = new ObjectMapper().readTree(config.toFile());
        return c.path("mlm4j_position_embeddings").asText("absolute");
    }
}
