package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.tokens.TokenizerFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reranking with a cross-encoder: a sequence classifier with one label that scores each (query, passage) pair
 * (sentence-transformers' {@code CrossEncoder}, e.g. cross-encoder/ms-marco-MiniLM-L6-v2; TEI's {@code /rerank}).
 * It runs on the {@link TextClassification} of the model (its forward pass, its labels); what it adds is how pairs are
 * made and scored:
 * <ul>
 *   <li>each pair is tokenized together, {@code [CLS] query [SEP] passage [SEP]}, truncated longest-first to the
 *       tokenizer's {@code model_max_length} (tokenizer_config.json; e.g. 256 for all-MiniLM-L6-v2), capped by the
 *       position table, as CrossEncoder does; with {@link Options#truncate} false a pair over it is an error instead
 *       (TEI's {@code truncate: false});</li>
 *   <li>score = sigmoid(logit), CrossEncoder's default activation for one label (and TEI's), or the logit itself
 *       ({@link Options#rawScores}, TEI's {@code raw_scores});</li>
 *   <li>{@link #rerank}: TEI's {@code /rerank} reply, {@code [{"index", "text"?, "score"}]} sorted by score descending
 *       (TEI sorts ascending, stably, then reverses: equal scores come later index first);
 *       {@link #rank}: {@code CrossEncoder.rank(query, documents, top_k, return_documents)},
 *       {@code [{"corpus_id", "score", "text"?}]} (Python's stable sort, reverse=True: equal scores keep their order).</li>
 * </ul>
 * <pre>
 *   Rerank r = Models.rerank("path/to/cross-encoder");
 *   List&lt;Rerank.Result&gt; best = r.rerank("How tall is the Eiffel Tower?", passages, Rerank.Options.DEFAULT);
 * </pre>
 * Immutable and thread-safe.
 */
public final class Rerank {

    /**
     * @param rawScores  the logits instead of sigmoid(logit) (TEI's {@code raw_scores})
     * @param returnText each result carries its passage (TEI's {@code return_text}, CrossEncoder's {@code return_documents})
     * @param topK       the k best only; 0 = all
     * @param truncate   pairs over the model's length are truncated (CrossEncoder always; TEI's {@code truncate}), else an error
     */
    public record Options(boolean rawScores, boolean returnText, int topK, boolean truncate) {
        /** Sigmoid scores, no text, all passages, truncated: CrossEncoder's defaults. */
        public static final Options DEFAULT = new Options(false, false, 0, true);

        public Options {
            if (topK < 0) throw new IllegalArgumentException("top_k must be positive (or 0 for all), got " + topK);
        }

        public Options withRawScores(boolean raw) {
            return new Options(raw, returnText, topK, truncate);
        }

        public Options withReturnText(boolean text) {
            return new Options(rawScores, text, topK, truncate);
        }

        public Options withTopK(int k) {
            return new Options(rawScores, returnText, k, truncate);
        }

        public Options withTruncate(boolean t) {
            return new Options(rawScores, returnText, topK, t);
        }
    }

    /**
     * One passage's score.
     *
     * @param index the passage's position in the list given (TEI's {@code index}, CrossEncoder's {@code corpus_id})
     * @param score sigmoid(logit) or the logit (float32, widened)
     * @param text  the passage when asked for, else null
     */
    public record Result(int index, double score, String text) {
        /** TEI's {@code Rank}: {@code {"index", "text"?, "score"}} (text left out when not asked for, as TEI's serde does). */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", index);
            if (text != null) m.put("text", text);
            m.put("score", score);
            return m;
        }

        /** CrossEncoder.rank's entry: {@code {"corpus_id", "score", "text"?}}. */
        public Map<String, Object> toCrossEncoderMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("corpus_id", index);
            m.put("score", score);
            if (text != null) m.put("text", text);
            return m;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TextClassification classifier;
    private final int maxLength;

    /**
     * @param classifier a one-label sequence classifier
     * @param maxLength  the length pairs are truncated to ([CLS] and both [SEP] included); capped by the position table
     */
    public Rerank(TextClassification classifier, int maxLength) {
        if (classifier.config().numLabels() != 1) {
            throw new IllegalArgumentException("a cross-encoder (reranker) scores each pair with one logit, but this classifier has "
                    + classifier.config().numLabels() + " labels " + classifier.labels() + ": classify with it instead");
        }
        if (maxLength < 3) throw new IllegalArgumentException("maximum length " + maxLength + " cannot hold a pair");
        this.classifier = classifier;
        this.maxLength = Math.min(maxLength, classifier.maxTokens());
    }

    /**
     * The rerank pipeline of a loaded classifier from {@code folder}: truncation to the folder's tokenizer_config.json
     * {@code model_max_length}, else the position table.
     */
    static Rerank of(TextClassification classifier, Path folder, String name) {
        Path dir = Files.isDirectory(folder) ? folder : folder.getParent();
        try {
            return new Rerank(classifier, TokenizerFiles.modelMaxLength(dir).orElse(classifier.maxTokens()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model '" + name + "': " + e.getMessage(), e);
        }
    }

    /** The length pairs are truncated to, in tokens. */
    public int maxLength() {
        return maxLength;
    }

    public TextClassification classifier() {
        return classifier;
    }

    /** The raw logit of each (query, text) pair, in order (CrossEncoder.predict with an identity activation). */
    public float[] logits(String query, List<String> texts, boolean truncate) {
        if (texts == null || texts.isEmpty()) throw new IllegalArgumentException("texts is empty: give at least one passage to rank");
        List<Encoding> pairs = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            try {
                pairs.add(encode(query, texts.get(i), truncate));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("text " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        List<float[]> out = classifier.run(pairs);
        float[] logits = new float[out.size()];
        for (int i = 0; i < logits.length; i++) logits[i] = out.get(i)[0];
        return logits;
    }

    /** Refuses a pair {@link #logits} would refuse (null, over the model's maximum without truncation), without running the model. */
    public void check(String query, String text, boolean truncate) {
        encode(query, text, truncate);
    }

    private Encoding encode(String query, String text, boolean truncate) {
        if (query == null) throw new IllegalArgumentException("query is null");
        if (text == null) throw new IllegalArgumentException("the text is null");
        Encoding e = classifier.tokenizer().encodePair(query, text, Integer.MAX_VALUE, false);
        if (e.length() <= maxLength) return e;
        if (!truncate) {
            throw new IllegalArgumentException("the query with this text is " + e.length() + " tokens, over the model's maximum of "
                    + maxLength + " (truncation is off)");
        }
        return classifier.tokenizer().encodePair(query, text, maxLength, true);
    }

    /** The score of each pair, in order: sigmoid(logit) (CrossEncoder.predict's default for one label), or the logit with {@code raw}. */
    public float[] scores(String query, List<String> texts, boolean raw, boolean truncate) {
        return scores(logits(query, texts, truncate), raw);
    }

    private static float[] scores(float[] logits, boolean raw) {
        return raw ? logits : TextClassification.apply(TextClassification.Function.SIGMOID, logits);
    }

    /** TEI's {@code /rerank}: every text's score, sorted by score descending (equal scores: later index first, as TEI), cut to top_k. */
    public List<Result> rerank(String query, List<String> texts, Options options) {
        return ranked(logits(query, texts, options.truncate()), texts, options);
    }

    /**
     * {@link #rerank} of logits already computed ({@link #logits}, e.g. in steps with progress): the scores from them,
     * sorted as TEI sorts, cut to top_k, with the texts when asked for.
     */
    public static List<Result> ranked(float[] logits, List<String> texts, Options options) {
        List<Result> all = results(logits, texts, options);
        all.sort(Comparator.comparingDouble(Result::score).thenComparingInt(Result::index).reversed());
        return cut(all, options.topK());
    }

    /**
     * sentence-transformers' {@code CrossEncoder.rank(query, documents, top_k, return_documents)}: sorted by score
     * descending, equal scores in document order ({@link Options#returnText} = return_documents, {@code topK} 0 = None).
     */
    public List<Result> rank(String query, List<String> documents, Options options) {
        List<Result> all = results(logits(query, documents, options.truncate()), documents, options);
        all.sort(Comparator.comparingDouble(Result::score).reversed());   // List.sort is stable, as Python's sorted
        return cut(all, options.topK());
    }

    /** {@code CrossEncoder.rank(query, documents, top_k=topK, return_documents=returnDocuments)}; {@code topK} null = all. */
    public List<Result> rank(String query, List<String> documents, Integer topK, boolean returnDocuments) {
        if (topK != null && topK <= 0) throw new IllegalArgumentException("top_k must be positive, or null for all, got " + topK);
        return rank(query, documents, Options.DEFAULT.withTopK(topK == null ? 0 : topK).withReturnText(returnDocuments));
    }

    private static List<Result> results(float[] logits, List<String> texts, Options options) {
        if (logits.length != texts.size()) throw new IllegalArgumentException(logits.length + " logits for " + texts.size() + " texts");
        float[] s = scores(logits, options.rawScores());
        List<Result> all = new ArrayList<>(s.length);
        for (int i = 0; i < s.length; i++) all.add(new Result(i, s[i], options.returnText() ? texts.get(i) : null));
        return all;
    }

    private static List<Result> cut(List<Result> sorted, int topK) {
        return topK == 0 || topK >= sorted.size() ? List.copyOf(sorted) : List.copyOf(sorted.subList(0, topK));
    }

    /** TEI's {@code /rerank} reply body for {@code results}: {@code [{"index", "text"?, "score"}, …]}. */
    public static JsonNode toJson(List<Result> results) {
        ArrayNode a = JSON.createArrayNode();
        for (Result r : results) a.add(JSON.valueToTree(r.toMap()));
        return a;
    }
}
