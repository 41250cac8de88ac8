package dev.mlm4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlm4j.pipelines.QuestionAnswering;
import dev.mlm4j.pipelines.Rerank;
import dev.mlm4j.pipelines.TextClassification;
import dev.mlm4j.pipelines.TokenClassification;
import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.tokens.Tokenizer;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The routes of the task models, each answered by the model its `serve` option loaded (see
 * {@link ServedModel.Task#option()}): TEI's POST /predict (text classification, {@code --classifier}) and POST /rerank
 * ({@code --reranker}), and Hugging Face's JSON on POST /token-classification ({@code --ner}) and POST
 * /question-answering ({@code --qa}). Like every inference route they go through admission (tokens and reply size),
 * the model's batcher, the request deadline and the metrics.
 */
final class TaskRoutes {

    /** JSON of one {"label": …, "score": …} without the label's text, and a comma. */
    static final int BYTES_PER_LABEL = 40;
    /** JSON of one entity without its word: {"entity_group":"…","score":…,"index":…,"word":"","start":…,"end":…}, */
    static final int BYTES_PER_ENTITY = 110;

    private final MlmServer server;

    TaskRoutes(MlmServer server) {
        this.server = server;
    }

    // ------------------------------------------------------------------ POST /predict

    /**
     * TEI: {@code {"inputs": "text" | ["text", "text_pair"] | [["text"], ["text", "text_pair"], …], "raw_scores": false,
     * "truncate": false, "truncation_direction": "Right", "model": name}} → every label with its score, best first
     * ({@code [{"label", "score"}, …]}), or one such list per input of a batch. Scores: the model's function (softmax
     * over the labels; sigmoid for one label or {@code multi_label_classification}; the logits for {@code regression},
     * as Hugging Face's pipeline), or the raw logits with {@code raw_scores}.
     */
    void predict(Context ctx) {
        Body b = server.body(ctx);
        ServedModel m = server.model(b.string("model", null), ServedModel.Task.TEXT_CLASSIFICATION);
        TextClassification tc = m.textClassification();
        JsonNode n = b.require("inputs");
        if (n.isArray() && n.isEmpty()) throw ApiError.empty("`inputs` is an empty list");
        boolean batch = n.isArray() && !n.isEmpty() && n.get(0).isArray();
        List<TextClassification.Input> inputs = new ArrayList<>();
        if (batch) {
            Body.checkCount("inputs", n.size(), server.options.maxClientBatchSize());
            for (int i = 0; i < n.size(); i++) {
                JsonNode item = n.get(i);
                if (!item.isArray()) throw ApiError.validation("`inputs[" + i + "]` must be a list like `inputs[0]` ([text] or"
                        + " [text, text_pair]), got " + Body.kind(item));
                inputs.add(sequence(item, "inputs[" + i + "]"));
            }
        } else {
            inputs.add(n.isTextual() ? TextClassification.Input.of(n.textValue()) : sequence(n, "inputs"));
        }
        boolean raw = b.bool("raw_scores", false);
        boolean truncate = b.bool("truncate", server.options.autoTruncate());
        b.rightTruncationOnly();

        int tokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Truncated t = truncated(m, inputs.get(i), truncate, batch ? "inputs[" + i + "]" : "inputs");
            inputs.set(i, t.input());
            tokens += t.tokens();
        }
        int longestLabel = 0;
        for (String l : tc.labels()) longestLabel = Math.max(longestLabel, (int) TextRoutes.utf8Length(l));
        server.admit(ctx, tokens, (long) inputs.size() * tc.labels().size() * (BYTES_PER_LABEL + longestLabel), "inputs × labels");

        TextClassification.Options options = TextClassification.Options.DEFAULT.withAllLabels()
                .withFunction(raw ? TextClassification.Function.NONE : null);
        Batcher<TextClassification.Options, TextClassification.Input, List<TextClassification.Label>> batcher =
                server.batcher(m, ServedModel.Task.TEXT_CLASSIFICATION, (o, items) -> tc.classify(items, o));
        List<List<TextClassification.Label>> results = server.await(ctx, batcher.submit(options, inputs, tokens));
        List<List<Map<String, Object>>> out = new ArrayList<>(results.size());
        for (List<TextClassification.Label> labels : results) {
            List<Map<String, Object>> predictions = new ArrayList<>(labels.size());
            for (TextClassification.Label l : labels) {    // TEI's Prediction
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("label", l.label());
                p.put("score", teiScore(l.score()));
                predictions.add(p);
            }
            out.add(predictions);
        }
        MlmServer.json(ctx, 200, batch ? out : out.getFirst());
    }

    /**
     * A score as TEI writes it: the float32 it is, in TEI's serde's f32 digits (TEI's OpenAPI says {@code "format":
     * "float"}), not widened to a double's 17 digits; NaN is TEI's 424.
     */
    private static float teiScore(double score) {
        if (Double.isNaN(score)) throw ApiError.backend("score is NaN");
        return (float) score;
    }

    /** One sequence of TEI's PredictInput: [text] or [text, text_pair]. */
    private static TextClassification.Input sequence(JsonNode n, String what) {
        if (!n.isArray()) throw Body.wrongType(what, "a string, a pair [text, text_pair] or a batch [[text], [text, text_pair], …]", n);
        if (n.isEmpty() || n.size() > 2) {
            throw ApiError.validation("`" + what + "` must be [text] or a pair [text, text_pair], got a list of " + n.size());
        }
        List<String> texts = Body.strings(n, what, 2);
        return texts.size() == 1 ? TextClassification.Input.of(texts.get(0)) : TextClassification.Input.pair(texts.get(0), texts.get(1));
    }

    private record Truncated(TextClassification.Input input, int tokens) {}

    /**
     * Checks one input and counts its tokens: 400 if it is empty; 422 if it is over the model's maximum and
     * truncation was not asked for, else the input cut to the maximum as the tokenizer truncates it (a pair: from the
     * longer text first), each text cut after its last kept token, which tokenizes to the same tokens again.
     */
    private static Truncated truncated(ServedModel m, TextClassification.Input in, boolean truncate, String what) {
        // TEI's rule (EncodingInput::is_empty): a text is refused only when it is "", a pair only when both sides are
        if (in.text().isEmpty() && (!in.isPair() || in.textPair().isEmpty())) throw ApiError.empty("`" + what + "` is empty");
        Tokenizer tok = m.tokenizer();
        Encoding e = encode(tok, in, Integer.MAX_VALUE, false);
        if (e.length() <= m.maxLength()) return new Truncated(in, e.length());
        if (!truncate) {
            throw ApiError.tooLong("`" + what + "` is " + e.length() + " tokens, over the model's maximum of " + m.maxLength()
                    + "; send \"truncate\": true to keep its first " + m.maxLength());
        }
        Encoding t = encode(tok, in, m.maxLength(), true);
        String text = in.text().substring(0, lastEnd(t, 0));
        TextClassification.Input cut = in.isPair() ? TextClassification.Input.pair(text, in.textPair().substring(0, lastEnd(t, 1)))
                : TextClassification.Input.of(text);
        return new Truncated(cut, t.length());
    }

    private static Encoding encode(Tokenizer tok, TextClassification.Input in, int max, boolean truncate) {
        return in.isPair() ? tok.encodePair(in.text(), in.textPair(), max, truncate) : tok.encode(in.text(), max, truncate);
    }

    /** Where the last token of sequence {@code seq} kept in {@code e} ends in its text (0 if none is). */
    private static int lastEnd(Encoding e, int seq) {
        int end = 0;
        for (int i = 0; i < e.length(); i++) if (e.sequenceIds()[i] == seq && e.end()[i] > end) end = e.end()[i];
        return end;
    }

    // ------------------------------------------------------------------ POST /token-classification

    /**
     * Hugging Face's token-classification pipeline: {@code {"inputs": "text" | ["text", …], "aggregation_strategy":
     * "none" | "simple" | "first" | "average" | "max", "ignore_labels": ["O"], "stride": 0, "model": name}} (the
     * options may also sit in {@code "parameters"}, the Inference API's shape) → the entities of a text
     * ({@code [{"entity", "score", "index", "word", "start", "end"}]}, or {@code "entity_group"} without {@code index}
     * when aggregated; start/end are character offsets), or one such list per text when a list was sent. Texts over
     * the model's maximum are truncated, as Hugging Face does, unless {@code stride} is given (0 too): then classified in
     * windows overlapping by that many tokens.
     */
    void tokenClassification(Context ctx) {
        Body b = server.body(ctx);
        ServedModel m = server.model(b.string("model", null), ServedModel.Task.TOKEN_CLASSIFICATION);
        TokenClassification tc = m.tokenClassification();
        Body params = b.object("parameters");
        boolean list = b.require("inputs").isArray();
        List<String> inputs = b.texts("inputs", server.options.maxClientBatchSize());
        Body opts = b.has("aggregation_strategy") || b.has("ignore_labels") || b.has("stride") ? b : params;
        TokenClassification.Options options;
        try {
            TokenClassification.Aggregation aggregation = TokenClassification.Aggregation.of(opts.string("aggregation_strategy", "none"));
            List<String> ignore = opts.has("ignore_labels") ? opts.stringList("ignore_labels", tc.labels().size() + 1) : null;
            Integer stride = opts.integer("stride", 0, Math.max(0, tc.maxLength() - 3));
            options = new TokenClassification.Options(aggregation, ignore, stride);   // absent: truncate; 0: windows side by side
        } catch (IllegalArgumentException e) {
            throw ApiError.validation(Body.oneLine(e.getMessage()));
        }
        int tokens = 0;
        long reply = 0;
        for (int i = 0; i < inputs.size(); i++) {
            String text = inputs.get(i);
            if (text.isBlank()) throw ApiError.empty("`" + (list ? "inputs[" + i + "]" : "inputs") + "` is empty");
            int n = m.tokenizer().encode(text, Integer.MAX_VALUE, false).length();
            int computed = options.stride() != null ? n : Math.min(n, tc.maxLength());
            tokens += computed;
            reply += (long) computed * BYTES_PER_ENTITY + TextRoutes.utf8Length(text);
        }
        server.admit(ctx, tokens, reply, "tokens × entities");
        Batcher<TokenClassification.Options, String, List<TokenClassification.Entity>> batcher =
                server.batcher(m, ServedModel.Task.TOKEN_CLASSIFICATION, (o, items) -> tc.classify(items, o));
        List<List<TokenClassification.Entity>> results = server.await(ctx, batcher.submit(options, inputs, tokens));
        List<List<Map<String, Object>>> out = new ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
            String text = inputs.get(i);
            out.add(results.get(i).stream().map(e -> e.toMap(text)).toList());
        }
        MlmServer.json(ctx, 200, list ? out : out.getFirst());
    }

    // ------------------------------------------------------------------ POST /rerank

    /** What requests must share to share a batch: the query and how scores are made. */
    private record RerankKey(String query, boolean raw, boolean truncate) {}

    /**
     * TEI: {@code {"query": str, "texts": [str], "raw_scores": false, "return_text": false, "truncate": false,
     * "truncation_direction": "Right", "model": name}} → {@code [{"index", "text"?, "score"}, …]}, every text, sorted by
     * score descending (as TEI: equal scores later index first). Score: sigmoid of the cross-encoder's logit for the
     * (query, text) pair, or the logit with {@code raw_scores}; a pair over the model's maximum is 422 unless truncated
     * (longest first, as sentence-transformers' CrossEncoder).
     */
    void rerank(Context ctx) {
        Body b = server.body(ctx);
        ServedModel m = server.model(b.string("model", null), ServedModel.Task.RERANK);
        Rerank r = m.rerank();
        String query = b.string("query", null);
        if (query == null) throw ApiError.validation("missing field `query`");
        JsonNode n = b.require("texts");
        if (!n.isArray()) throw Body.wrongType("texts", "a list of strings", n);
        if (n.isEmpty()) throw ApiError.empty("`texts` cannot be empty");
        List<String> texts = Body.strings(n, "texts", server.options.maxClientBatchSize());
        boolean raw = b.bool("raw_scores", false);
        boolean returnText = b.bool("return_text", false);
        boolean truncate = b.bool("truncate", server.options.autoTruncate());
        b.rightTruncationOnly();
        int tokens = 0;
        long reply = 0;
        for (int i = 0; i < texts.size(); i++) {
            // TEI scores every (query, text) pair but one whose two sides are both ""
            if (query.isEmpty() && texts.get(i).isEmpty()) throw ApiError.empty("`query` and `texts[" + i + "]` are both empty");
            int pair = m.tokenizer().encodePair(query, texts.get(i), Integer.MAX_VALUE, false).length();
            if (pair > r.maxLength() && !truncate) {
                throw ApiError.tooLong("`query` with `texts[" + i + "]` is " + pair + " tokens, over the model's maximum of "
                        + r.maxLength() + "; send \"truncate\": true to cut the longer of the two");
            }
            tokens += Math.min(pair, r.maxLength());
            reply += BYTES_PER_LABEL + (returnText ? TextRoutes.utf8Length(texts.get(i)) + 10 : 0);
        }
        server.admit(ctx, tokens, reply, "texts × {index, score, text}");
        Batcher<RerankKey, String, Float> batcher = server.batcher(m, ServedModel.Task.RERANK, (k, items) -> {
            List<Float> out = new ArrayList<>(items.size());
            for (float f : r.scores(k.query(), items, k.raw(), k.truncate())) out.add(f);
            return out;
        });
        List<Float> scores = server.await(ctx, batcher.submit(new RerankKey(query, raw, truncate), texts, tokens));
        List<Rerank.Result> ranks = new ArrayList<>(scores.size());
        for (int i = 0; i < scores.size(); i++) ranks.add(new Rerank.Result(i, scores.get(i), returnText ? texts.get(i) : null));
        // TEI sorts ascending (stably) and reverses: by score descending, equal scores later index first (as Rerank.rerank).
        ranks.sort(Comparator.comparingDouble(Rerank.Result::score).thenComparingInt(Rerank.Result::index).reversed());
        List<Map<String, Object>> out = new ArrayList<>(ranks.size());
        for (Rerank.Result rank : ranks) {      // TEI's Rank: {"index", "text"?, "score"}
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("index", rank.index());
            if (rank.text() != null) entry.put("text", rank.text());
            entry.put("score", teiScore(rank.score()));
            out.add(entry);
        }
        MlmServer.json(ctx, 200, out);
    }

    // ------------------------------------------------------------------ POST /question-answering

    /** Hugging Face's question-answering parameters, also taken from the top level of the body. */
    static final List<String> QA_PARAMETERS = List.of("top_k", "doc_stride", "max_answer_len", "max_seq_len", "max_question_len",
            "handle_impossible_answer", "align_to_words");

    /**
     * Hugging Face's question-answering pipeline (transformers 4.x): {@code {"question": str, "context": str, "top_k": 1,
     * "doc_stride", "max_answer_len": 15, "max_seq_len", "max_question_len", "handle_impossible_answer": false,
     * "align_to_words": true, "model": name}}, or the Inference API's {@code {"inputs": {"question", "context"} | [{…},
     * …], "parameters": {…}}} → {@code {"score", "start", "end", "answer"}} for one answer, a list for several
     * ({@code top_k} > 1), one of those per input for a list of inputs. Long contexts are read in windows.
     */
    void questionAnswering(Context ctx) {
        Body b = server.body(ctx);
        ServedModel m = server.model(b.string("model", null), ServedModel.Task.QUESTION_ANSWERING);
        QuestionAnswering qa = m.questionAnswering();
        JsonNode in = b.get("inputs");
        boolean list = in != null && in.isArray();
        List<QuestionAnswering.Input> inputs = new ArrayList<>();
        if (in == null) {
            inputs.add(qaInput(b.objectNode(), ""));
        } else if (in.isObject()) {
            inputs.add(qaInput(in, "inputs."));
        } else if (list) {
            if (in.isEmpty()) throw ApiError.empty("`inputs` is an empty list");
            Body.checkCount("inputs", in.size(), server.options.maxClientBatchSize());
            for (int i = 0; i < in.size(); i++) {
                if (!in.get(i).isObject()) throw ApiError.validation("`inputs[" + i + "]` must be an object {\"question\", \"context\"}, got "
                        + Body.kind(in.get(i)));
                inputs.add(qaInput(in.get(i), "inputs[" + i + "]."));
            }
        } else {
            throw Body.wrongType("inputs", "an object {\"question\", \"context\"} or a list of them", in);
        }
        ObjectNode parameters = b.object("parameters").objectNode().deepCopy();
        for (String p : QA_PARAMETERS) if (b.has(p)) parameters.set(p, b.get(p));
        QuestionAnswering.Options options;
        int tokens = 0;
        long reply = 0;
        try {
            options = QuestionAnswering.Options.fromJson(parameters);
            for (QuestionAnswering.Input input : inputs) {
                qa.check(input, options);
                tokens += m.tokenizer().encodePair(input.question(), input.context(), Integer.MAX_VALUE, false).length();
                reply += (long) options.topK() * (BYTES_PER_ENTITY + TextRoutes.utf8Length(input.context()));
            }
        } catch (IllegalArgumentException e) {
            throw ApiError.validation(Body.oneLine(e.getMessage()));
        }
        server.admit(ctx, tokens, reply, "top_k answers per input");
        Batcher<QuestionAnswering.Options, QuestionAnswering.Input, List<QuestionAnswering.Answer>> batcher =
                server.batcher(m, ServedModel.Task.QUESTION_ANSWERING, (o, items) -> qa.answer(items, o));
        List<List<QuestionAnswering.Answer>> results = server.await(ctx, batcher.submit(options, inputs, tokens));
        List<JsonNode> out = new ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) out.add(QuestionAnswering.toJson(inputs.get(i).context(), results.get(i)));
        MlmServer.json(ctx, 200, list ? out : out.getFirst());
    }

    /** {"question", "context"} of {@code o} ({@code what} prefixes the field names in messages); both must be non-blank. */
    private static QuestionAnswering.Input qaInput(JsonNode o, String what) {
        String[] qc = new String[2];
        String[] names = {"question", "context"};
        for (int i = 0; i < 2; i++) {
            JsonNode v = o.get(names[i]);
            if (v == null || v.isNull()) throw ApiError.validation("missing field `" + what + names[i] + "`");
            if (!v.isTextual()) throw Body.wrongType(what + names[i], "a string", v);
            qc[i] = v.textValue();
        }
        if (qc[0].isBlank()) throw ApiError.empty("`" + what + "question` is empty: there is nothing to answer");
        if (qc[1].isBlank()) throw ApiError.empty("`" + what + "context` is empty: a question needs a context to find its answer in");
        return new QuestionAnswering.Input(qc[0], qc[1]);
    }
}
