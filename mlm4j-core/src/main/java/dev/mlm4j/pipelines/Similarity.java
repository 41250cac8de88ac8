package dev.mlm4j.pipelines;

import dev.mlm4j.tokens.Encoding;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Semantic similarity: the cosine of two texts' sentence embeddings (sentence-transformers' {@code cos_sim}).
 * Ranks candidates against a source text, or every pair of a list, highest first.
 * <pre>
 *   Similarity sim = new Similarity(Models.embeddings("all-MiniLM-L6-v2"));
 *   List&lt;Similarity.Match&gt; best = sim.rank("A man is playing a guitar.",
 *           List.of("Someone plays an instrument.", "The stock market fell."), FeatureExtraction.Options.DEFAULT);
 * </pre>
 */
public final class Similarity {

    /** Candidate {@code index} (from 0, in the order given) scored against the source. */
    public record Match(int index, String text, double score) {}

    /** Texts {@code first} &lt; {@code second} (from 0) and their cosine. */
    public record Pair(int first, int second, String firstText, String secondText, double score) {}

    private final FeatureExtraction embeddings;

    public Similarity(FeatureExtraction embeddings) {
        this.embeddings = embeddings;
    }

    public FeatureExtraction embeddings() {
        return embeddings;
    }

    /**
     * Every candidate's cosine with {@code source}, highest first (ties in input order). All texts run as one batch; a
     * null or too-long one is named in the message as "the source" or "candidate i" (from 1, as {@link Match#index} + 1).
     */
    public List<Match> rank(String source, List<String> candidates, FeatureExtraction.Options options) {
        if (candidates.isEmpty()) throw new IllegalArgumentException("no text to compare with the source");
        checkPooling(options);
        List<Encoding> all = new ArrayList<>(candidates.size() + 1);
        all.add(embeddings.encode(source, "the source", options));
        for (int i = 0; i < candidates.size(); i++) all.add(embeddings.encode(candidates.get(i), "candidate " + (i + 1), options));
        List<float[]> v = new ArrayList<>(all.size());
        for (FeatureExtraction.Embedding e : embeddings.extractEncoded(all, options)) v.add(e.vector());
        List<Match> out = new ArrayList<>(candidates.size());
        for (int i = 0; i < candidates.size(); i++) out.add(new Match(i, candidates.get(i), cosine(v.getFirst(), v.get(i + 1))));
        out.sort(Comparator.comparingDouble(Match::score).reversed().thenComparingInt(Match::index));
        return out;
    }

    /** The cosine of every pair of {@code texts}, highest first (ties in input order). */
    public List<Pair> pairs(List<String> texts, FeatureExtraction.Options options) {
        if (texts.size() < 2) throw new IllegalArgumentException("need at least two texts to compare, got " + texts.size());
        List<float[]> v = vectors(texts, options);
        List<Pair> out = new ArrayList<>(texts.size() * (texts.size() - 1) / 2);
        for (int i = 0; i < texts.size(); i++) {
            for (int j = i + 1; j < texts.size(); j++) out.add(new Pair(i, j, texts.get(i), texts.get(j), cosine(v.get(i), v.get(j))));
        }
        out.sort(Comparator.comparingDouble(Pair::score).reversed().thenComparingInt(Pair::first).thenComparingInt(Pair::second));
        return out;
    }

    /** a·b / (‖a‖ ‖b‖) in double; 0 when either vector is zero. */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("vectors of different lengths: " + a.length + " and " + b.length);
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }

    private List<float[]> vectors(List<String> texts, FeatureExtraction.Options options) {
        checkPooling(options);
        List<float[]> v = new ArrayList<>(texts.size());
        for (FeatureExtraction.Embedding e : embeddings.extract(texts, options)) v.add(e.vector());
        return v;
    }

    private static void checkPooling(FeatureExtraction.Options options) {
        if (options.pooling() == Pooling.NONE) throw new IllegalArgumentException("similarity needs one vector per text: pooling mean or cls, not none");
    }
}
