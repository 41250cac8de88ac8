package dev.mlm4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.explorer.AttentionGraph;
import dev.mlm4j.explorer.AttentionView;
import dev.mlm4j.explorer.DirectionComparison;
import dev.mlm4j.explorer.ExplorerModel;
import dev.mlm4j.explorer.ExplorerOptions;
import dev.mlm4j.explorer.HtmlPage;
import dev.mlm4j.explorer.MaskPrediction;
import dev.mlm4j.explorer.Pruning;
import dev.mlm4j.explorer.Token;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * POST /attention: the attention explorer over HTTP.
 * <pre>
 * {"text": "The cat sat on the [MASK].", "pair": optional second text, "model": optional,
 *  "causal": false, "layers": [0, 5] | 5 | absent (all), "heads": [0, -1] | 3 | absent (all; -1 = mean over heads),
 *  "graph_top_k": 3 (0: every edge), "top_k": 5 (fill-mask guesses per [MASK]), "format": "json" | "html"}
 * </pre>
 * JSON: the tokens, one {@code {layer, head, matrix, graph}} per layer × head asked for (row i = where token i
 * looks; rows sum to 1; a causal run is zero above the diagonal), and the fill-mask guesses of the same pass.
 * {@code "format": "html"} returns the explorer's self-contained page with both runs (bidirectional and
 * causal) for the page at / to show; {@code layer}/{@code head} then say where it opens.
 */
final class AttentionRoute {

    /** Most numbers in one JSON reply (matrices): past this, ask for fewer layers or heads. */
    static final long MAX_VALUES = 4_000_000;
    /** Longest text for the html page, which embeds every layer and head of both runs (n² each): about 18 MB at 160. */
    static final int MAX_PAGE_TOKENS = 160;

    private record Job(String text, String pair, boolean compare, boolean causal, int topK) {}

    private final MlmServer server;

    AttentionRoute(MlmServer server) {
        this.server = server;
    }

    void handle(Context ctx) {
        Body b = server.body(ctx);
        ServedModel m = server.model(b.string("model", null), ServedModel.Task.ATTENTION);
        String text = b.string("text", null);
        if (text == null) text = b.string("inputs", null);
        if (text == null) throw ApiError.validation("missing field `text`");
        String pair = b.string("pair", null);
        boolean causal = b.bool("causal", false);
        Integer topKField = b.integer("top_k", 1, FillMaskRoute.MAX_TOP_K);
        int topK = topKField == null ? 5 : topKField;
        String format = b.string("format", "json");
        if (!format.equals("json") && !format.equals("html")) {
            throw ApiError.validation("`format` must be \"json\" or \"html\", got \"" + Body.abbreviate(format) + "\"");
        }
        int n = length(m, text, pair);
        ExplorerModel explorer = m.explorer();      // loaded on the first request for this model

        if (format.equals("html")) {
            Integer layerField = b.integer("layer", 0, explorer.layers() - 1);
            Integer headField = b.integer("head", -1, explorer.heads() - 1);
            int layer = layerField == null ? 0 : layerField;
            int head = headField == null ? 0 : headField;
            if (n > MAX_PAGE_TOKENS) {
                throw ApiError.tooLarge("the page holds every layer and head of both runs (n² numbers each), so it takes texts"
                        + " of at most " + MAX_PAGE_TOKENS + " tokens; this one has " + n + ". Ask for the JSON format with"
                        + " \"layers\" and \"heads\" instead");
            }
            // both runs, every layer and head: n² numbers each, written compactly in the page (~3 bytes a number)
            server.admit(ctx, 2 * n, 6L * explorer.layers() * explorer.heads() * n * n, "the page: 2 runs × layers × heads × tokens²");
            List<Object> out = run(ctx, m, new Job(text, pair, true, false, topK), 2 * n);
            DirectionComparison c = (DirectionComparison) out.getFirst();
            ctx.contentType("text/html; charset=utf-8").result(HtmlPage.of(m.name(), c, layer, head));
            return;
        }

        List<Integer> layers = indices(b, "layers", explorer.layers(), 0);
        List<Integer> heads = indices(b, "heads", explorer.heads(), -1);
        long values = (long) layers.size() * heads.size() * n * n;
        if (values > MAX_VALUES) {
            throw ApiError.tooLarge("that is " + layers.size() + " layers × " + heads.size() + " heads × " + n + "² = " + values
                    + " numbers, over the limit of " + MAX_VALUES + "; ask for fewer with \"layers\" and \"heads\"");
        }
        Integer graphTopK = b.integer("graph_top_k", 0, Integer.MAX_VALUE);
        Pruning pruning = Pruning.topK(graphTopK == null ? 3 : graphTopK);
        int edges = graphTopK == null ? 3 : graphTopK == 0 ? n : Math.min(graphTopK, n);
        long perMatrix = (long) n * n * EmbeddingRoutes.BYTES_PER_NUMBER + (long) n * edges * 64;   // matrix, then graph edges
        server.admit(ctx, n, (long) layers.size() * heads.size() * perMatrix + (long) n * 128 + (long) topK * 96,
                "layers × heads × (tokens² numbers + graph edges)");
        List<Object> out = run(ctx, m, new Job(text, pair, false, causal, topK), n);
        AttentionView v = (AttentionView) out.getFirst();

        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("model", m.name());
        reply.put("text", v.text());
        reply.put("pair", v.pair());
        reply.put("causal", v.causal());
        reply.put("num_layers", v.layers());
        reply.put("num_heads", v.heads());
        reply.put("tokens", tokens(v.tokens()));
        List<Map<String, Object>> matrices = new ArrayList<>();
        for (int layer : layers) {
            for (int head : heads) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("layer", layer);
                e.put("head", head);
                e.put("matrix", v.attention(layer, head));
                e.put("graph", graph(v.graph(layer, head).pruned(pruning)));
                matrices.add(e);
            }
        }
        reply.put("attentions", matrices);
        reply.put("predictions", predictions(v.predictions()));
        MlmServer.json(ctx, 200, reply);
    }

    private List<Object> run(Context ctx, ServedModel m, Job job, int tokens) {
        Batcher<String, Job, Object> batcher = server.batcher(m, ServedModel.Task.ATTENTION, (key, jobs) -> {
            List<Object> out = new ArrayList<>(jobs.size());
            for (Job j : jobs) {
                ExplorerOptions o = ExplorerOptions.DEFAULT.withTopK(j.topK()).withCausal(j.causal());
                out.add(j.compare() ? m.explorer().compare(j.text(), j.pair(), o) : m.explorer().run(j.text(), j.pair(), o));
            }
            return out;
        });
        return server.await(ctx, batcher.submit("attention", List.of(job), tokens));
    }

    /** The token count, with 400 for empty and 422 for too-long texts (the explorer never truncates). */
    private static int length(ServedModel m, String text, String pair) {
        if (text.isBlank()) throw ApiError.empty("`text` is empty");
        if (pair != null && pair.isBlank()) throw ApiError.empty("`pair` is empty");
        try {
            return (pair == null ? m.tokenizer().encode(text, m.maxLength(), false)
                    : m.tokenizer().encodePair(text, pair, m.maxLength(), false)).length();
        } catch (IllegalArgumentException e) {
            throw ApiError.tooLong("`text`: " + e.getMessage());
        }
    }

    /** A field that is absent (every index), one integer, or a list of integers, each in [min, count). */
    private static List<Integer> indices(Body b, String field, int count, int min) {
        JsonNode n = b.get(field);
        List<Integer> out = new ArrayList<>();
        if (n == null) {
            for (int i = 0; i < count; i++) out.add(i);
            return out;
        }
        if (n.isArray()) {
            if (n.isEmpty()) throw ApiError.validation("`" + field + "` is an empty list");
            Body.checkCount(field, n.size(), 1024);
            for (int i = 0; i < n.size(); i++) out.add(Body.checkInt(n.get(i), "`" + field + "[" + i + "]`", min, count - 1));
        } else {
            out.add(Body.checkInt(n, "`" + field + "`", min, count - 1));
        }
        return out;
    }

    private static List<Map<String, Object>> tokens(List<Token> tokens) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Token t : tokens) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", t.index());
            m.put("text", t.text());
            m.put("start", t.start() < 0 ? null : t.start());
            m.put("end", t.end() < 0 ? null : t.end());
            m.put("special", t.special());
            m.put("segment", t.segment());
            out.add(m);
        }
        return out;
    }

    private static JsonNode graph(AttentionGraph g) {
        try {
            return Body.JSON.readTree(g.toJson());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("the explorer wrote a graph that is not JSON", e);
        }
    }

    private static List<Map<String, Object>> predictions(List<MaskPrediction> ps) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (MaskPrediction p : ps) {
            List<Map<String, Object>> cands = new ArrayList<>();
            for (MaskPrediction.Candidate c : p.candidates()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("token", c.id());
                m.put("token_str", c.token());
                m.put("score", c.probability());
                cands.add(m);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("position", p.position());
            m.put("candidates", cands);
            out.add(m);
        }
        return out;
    }
}
