package dev.mlm4j.langchain4j;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.Rerank;

import java.util.ArrayList;
import java.util.List;

/**
 * A LangChain4j {@link ScoringModel} on an mlm4j cross-encoder (a sequence classifier with one label, e.g.
 * cross-encoder/ms-marco-MiniLM-L6-v2 converted to a folder), in pure Java: each (query, segment) pair is scored
 * together as sentence-transformers' {@code CrossEncoder.predict} does — {@code [CLS] query [SEP] segment [SEP]},
 * truncated longest-first to the tokenizer's {@code model_max_length}, score = sigmoid(logit) (or the logit itself
 * with {@link Builder#rawScores}). For LangChain4j's {@code ReRankingContentAggregator}.
 * <pre>
 *   ScoringModel reranker = Mlm4jScoringModel.builder().modelPath(Path.of("ms-marco-MiniLM-L6-v2")).build();
 *   List&lt;Double&gt; scores = reranker.scoreAll(segments, "How tall is the Eiffel Tower?").content();
 * </pre>
 * Thread-safe; the model is loaded once per JVM and precision.
 */
public final class Mlm4jScoringModel implements ScoringModel {

    private final Rerank pipeline;
    private final boolean raw;

    private Mlm4jScoringModel(Builder b) {
        this.pipeline = Models.rerank(b.model(), b.progress, b.precision);
        this.raw = b.rawScores;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Scores of every segment against {@code query}, in the segments' order (not sorted). */
    @Override
    public Response<List<Double>> scoreAll(List<TextSegment> segments, String query) {
        if (segments == null || segments.isEmpty()) throw new IllegalArgumentException("segments cannot be null or empty");
        if (query == null) throw new IllegalArgumentException("query cannot be null");   // not "text 1: query is null"
        List<String> texts = new ArrayList<>(segments.size());
        for (int i = 0; i < segments.size(); i++) {
            if (segments.get(i) == null) throw new IllegalArgumentException("segment " + (i + 1) + " is null");
            texts.add(segments.get(i).text());
        }
        float[] scores = pipeline.scores(query, texts, raw, true);
        List<Double> out = new ArrayList<>(scores.length);
        for (float s : scores) out.add((double) s);
        return Response.from(out, new TokenUsage(tokens(query, texts)));
    }

    /** Word pieces of the pairs as run ([CLS] and [SEP]s not counted), as the embedding model's token usage. */
    private int tokens(String query, List<String> texts) {
        int n = 0;
        for (String t : texts) {
            n += pipeline.classifier().tokenizer().encodePair(query, t, pipeline.maxLength(), true).length() - 3;
        }
        return n;
    }

    /** The mlm4j pipeline underneath (ranked results, TEI's /rerank shape). */
    public Rerank pipeline() {
        return pipeline;
    }

    /** Builds a {@link Mlm4jScoringModel}; only the model (a cross-encoder's folder, or a catalogue name) is required. */
    public static final class Builder extends Mlm4jModelBuilder<Builder> {
        private boolean rawScores;

        private Builder() {}

        /** The logits instead of sigmoid(logit) (TEI's {@code raw_scores}). */
        public Builder rawScores(boolean raw) {
            this.rawScores = raw;
            return this;
        }

        /** Loads the model (once per JVM and precision). */
        public Mlm4jScoringModel build() {
            return new Mlm4jScoringModel(this);
        }
    }
}
