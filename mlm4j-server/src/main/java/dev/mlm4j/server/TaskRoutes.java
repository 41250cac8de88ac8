package dev.mlm4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.pipelines.TextClassification;
import dev.mlm4j.pipelines.TokenClassification;
import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.tokens.Tokenizer;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The routes of the task models, each answered by the model its `serve` option loaded (see
 * {@link ServedModel.Task#option()}): TEI's POST /predict (text classification, {@code --classifier}) and Hugging
 * Face's token-classification JSON on POST /token-classification ({@code --ner}). Like every inference route they go
 * through admission (tokens and reply size), the model's batcher, the request deadline and the metrics.
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
            for (TextClassification.Label l : labels) {
                if (Double.isNaN(l.score())) throw ApiError.backend("score is NaN");   // as TEI
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("label", l.label());
                p.put("score", (float) l.score());
                predictions.add(p);
            }
            out.add(predictions);
        }
        MlmServer.json(ctx, 200, batch ? out : out.getFirst());
    }

    /** One sequence of TEI's PredictInput: [text] or [text, text_pair] (strings, not blank). */
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
     * Checks one input and counts its tokens: 400 if a text is blank; 422 if it is over the model's maximum and
     * truncation was not asked for, else the input cut to the maximum as the tokenizer truncates it (a pair: from the
     * longer text first), each text cut after its last kept token, which tokenizes to the same tokens again.
     */
    private static Truncated truncated(ServedModel m, TextClassification.Input in, boolean truncate, String what) {
        if (in.text().isBlank() || (in.isPair() && in.textPair().isBlank())) throw ApiError.empty("`" + what + "` has an empty text");
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
     * the model's maximum are truncated, as Hugging Face does, unless {@code stride} > 0: then classified in windows.
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
            options = new TokenClassification.Options(aggregation, ignore, stride == null ? 0 : stride);
        } catch (IllegalArgumentException e) {
            throw ApiError.validation(Body.oneLine(e.getMessage()));
        }
        int tokens = 0;
        long reply = 0;
        for (int i = 0; i < inputs.size(); i++) {
            String text = inputs.get(i);
            if (text.isBlank()) throw ApiError.empty("`" + (list ? "inputs[" + i + "]" : "inputs") + "` is empty");
            int n = m.tokenizer().encode(text, Integer.MAX_VALUE, false).length();
            int computed = options.stride() > 0 ? n : Math.min(n, tc.maxLength());
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
}
