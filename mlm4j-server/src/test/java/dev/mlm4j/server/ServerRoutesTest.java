package dev.mlm4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.pipelines.FillMask;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every route of a server on a free loopback port, with real requests and real models. */
class ServerRoutesTest {

    static MlmServer server;
    static Http http;

    @BeforeAll
    static void start() {
        server = TestServers.start(TestServers.options(), TestServers.bert());
        http = new Http(server.baseUrl());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop();
    }

    @Test
    void healthAndInfo() {
        Http.Reply h = http.get("/health");
        assertEquals(200, h.status(), h.toString());
        JsonNode info = http.get("/info").json();
        assertEquals(TestServers.BERT, info.get("model_id").asText());
        assertEquals(512, info.get("max_input_length").asInt());
        assertEquals(16384, info.get("max_batch_tokens").asInt());
        assertEquals(32, info.get("max_client_batch_size").asInt());
        assertEquals(dev.mlm4j.Version.kernels(), info.get("kernels").asText());
        assertTrue(info.get("kernels").asText().matches("(vector\\((128|256|512)-bit\\)|scalar), [1-9]\\d* threads"), info.toString());
        JsonNode m = info.get("models").get(0);
        assertEquals(TestServers.BERT, m.get("name").asText());
        assertEquals(30522, m.get("vocab_size").asInt());
        assertTrue(m.get("tasks").toString().contains("fill-mask"), m.toString());
    }

    @Test
    void fillMaskGivesHuggingFacesShapeAndNumbers() {
        Http.Reply r = http.post("/fill-mask", Map.of("inputs", "Hello I'm a [MASK] model."));
        assertEquals(200, r.status(), r.toString());
        JsonNode preds = r.json();
        assertEquals(5, preds.size());
        assertEquals("fashion", preds.get(0).get("token_str").asText());
        assertEquals(0.1073, preds.get(0).get("score").asDouble(), 1e-3);   // the model card's number
        assertEquals("hello i'm a fashion model.", preds.get(0).get("sequence").asText());
        assertTrue(preds.get(0).has("token"));

        // Same as the Java API (to float rounding: the Vector API's interpreted and compiled paths may differ in the last bits).
        FillMask.Prediction p = TestServers.bert().fillMask()
                .fill("Hello I'm a [MASK] model.", FillMask.Options.DEFAULT).getFirst().predictions().getFirst();
        assertEquals(p.score(), preds.get(0).get("score").asDouble(), 1e-6);
        assertEquals(p.token(), preds.get(0).get("token").asInt());
    }

    @Test
    void fillMaskOptionsAndShapes() {
        // parameters object (the Inference API's shape), targets, top_k
        JsonNode t = http.post("/fill-mask", Map.of("inputs", "Paris is the [MASK] of France.",
                "parameters", Map.of("top_k", 2, "targets", List.of("capital", "heart", "center")))).json();
        assertEquals(2, t.size());
        assertEquals("capital", t.get(0).get("token_str").asText());
        // two texts, the second with two masks: list per text, list per mask
        JsonNode two = http.post("/fill-mask", Map.of("inputs", List.of("a [MASK] b", "[MASK] and [MASK]"), "top_k", 3)).json();
        assertEquals(2, two.size());
        assertEquals(3, two.get(0).size());
        assertTrue(two.get(0).get(0).has("score"));
        assertEquals(2, two.get(1).size());
        assertEquals(3, two.get(1).get(0).size());
        // causal changes the answer
        JsonNode bi = http.post("/fill-mask", Map.of("inputs", "The [MASK] barked at the mailman.")).json();
        JsonNode causal = http.post("/fill-mask", Map.of("inputs", "The [MASK] barked at the mailman.", "causal", true)).json();
        assertFalse(bi.get(0).get("score").asDouble() == causal.get(0).get("score").asDouble());
    }

    @Test
    void tokenizeInTeisShape() {
        JsonNode r = http.post("/tokenize", Map.of("inputs", "Héllo wörld")).json();
        assertEquals(1, r.size());
        JsonNode toks = r.get(0);
        assertEquals("[CLS]", toks.get(0).get("text").asText());
        assertTrue(toks.get(0).get("special").asBoolean());
        assertTrue(toks.get(0).get("start").isNull());
        assertEquals(7592, toks.get(1).get("id").asInt());        // "hello" (accent stripped by the uncased model)
        assertEquals("Héllo", toks.get(1).get("text").asText());
        assertEquals(0, toks.get(1).get("start").asInt());
        assertEquals(6, toks.get(1).get("stop").asInt());          // UTF-8 bytes, as TEI: é is two
        assertEquals(7, toks.get(2).get("start").asInt());
        assertEquals("[SEP]", toks.get(toks.size() - 1).get("text").asText());
        JsonNode bare = http.post("/tokenize", Map.of("inputs", List.of("a b", "c"), "add_special_tokens", false)).json();
        assertEquals(2, bare.size());
        assertEquals(2, bare.get(0).size());
        assertFalse(bare.get(0).get(0).get("special").asBoolean());
    }

    @Test
    void decodeRoundTrips() {
        JsonNode one = http.post("/decode", Map.of("ids", List.of(101, 7592, 2088, 102))).json();
        assertEquals("hello world", one.get(0).asText());
        JsonNode keep = http.post("/decode", Map.of("ids", List.of(List.of(101, 7592, 102), List.of(2088)),
                "skip_special_tokens", false)).json();
        assertEquals("[CLS] hello [SEP]", keep.get(0).asText());
        assertEquals("world", keep.get(1).asText());
    }

    @Test
    void errorsAreJsonWithTheRightStatus() {
        assertError(http.post("/fill-mask", "{not json"), 400, "Validation");
        assertError(http.post("/fill-mask", "[1,2]"), 400, "Validation");
        assertError(http.post("/fill-mask", Map.of("inputs", 5)), 400, "Validation");
        assertError(http.post("/fill-mask", Map.of("inputs", "no mask here")), 400, "Validation");
        assertError(http.post("/fill-mask", Map.of("inputs", "")), 400, "Empty");
        assertError(http.post("/fill-mask", Map.of("inputs", "a [MASK]", "top_k", 0)), 400, "Validation");
        assertError(http.post("/fill-mask", Map.of("inputs", "a [MASK]", "top_k", "5")), 400, "Validation");
        assertError(http.post("/fill-mask", Map.of("inputs", "a [MASK]", "model", "gpt-17")), 404, "NotFound");
        assertError(http.post("/decode", Map.of("ids", List.of(-1))), 400, "Validation");
        assertError(http.post("/decode", Map.of("ids", List.of(1 << 30))), 400, "Validation");
        assertError(http.get("/no-such-route"), 404, "NotFound");
        assertEquals("no route GET /no-such-route; see /openapi.json", http.get("/no-such-route").json().get("error").asText());
        assertError(http.post("/fill-mask", Map.of("inputs", "[MASK] " + "word ".repeat(600))), 422, "Tokenizer");
        String many = "[\"a [MASK]\"" + ",\"a [MASK]\"".repeat(32) + "]";
        assertError(http.post("/fill-mask", "{\"inputs\":" + many + "}"), 413, "Validation");
        // truncation asked for: the long text is cut and answered
        assertEquals(200, http.post("/fill-mask", Map.of("inputs", "[MASK] " + "word ".repeat(600), "truncate", true)).status());
    }

    static void assertError(Http.Reply r, int status, String type) {
        assertEquals(status, r.status(), r.toString());
        JsonNode j = r.json();
        assertTrue(j.get("error").isTextual() && !j.get("error").asText().isBlank(), r.toString());
        assertEquals(type, j.get("error_type").asText(), r.toString());
        assertNull(j.get("trace"));
        assertFalse(r.body().contains("at dev.mlm4j"), "no stack trace in the body");
    }

    @Test
    void attentionGivesMatricesGraphsAndGuesses() {
        Http.Reply r = http.post("/attention", Map.of("text", "the cat sat on the [MASK].", "layers", List.of(0, 11),
                "heads", List.of(3, -1), "graph_top_k", 2));
        assertEquals(200, r.status(), r.toString());
        JsonNode j = r.json();
        int n = j.get("tokens").size();
        assertEquals(9, n);
        assertEquals(12, j.get("num_layers").asInt());
        assertEquals(12, j.get("num_heads").asInt());
        assertTrue(j.get("tokens").get(0).get("special").asBoolean());
        JsonNode a = j.get("attentions");
        assertEquals(4, a.size());                       // 2 layers × 2 heads
        assertEquals(11, a.get(2).get("layer").asInt());
        assertEquals(-1, a.get(3).get("head").asInt());  // the mean over heads
        for (JsonNode e : a) {
            JsonNode m = e.get("matrix");
            assertEquals(n, m.size());
            for (JsonNode row : m) {
                double s = 0;
                for (JsonNode x : row) s += x.asDouble();
                assertEquals(1.0, s, 1e-5, "rows sum to 1");
            }
            assertEquals(n, e.get("graph").get("nodes").size());
            assertEquals(2 * n, e.get("graph").get("edges").size(), "top-2 edges per token");
        }
        JsonNode guess = j.get("predictions").get(0);
        assertEquals(6, guess.get("position").asInt());
        assertEquals(5, guess.get("candidates").size());

        JsonNode causal = http.post("/attention", Map.of("text", "the cat sat on the [MASK].", "layers", 4, "heads", 5,
                "causal", true)).json();
        JsonNode m = causal.get("attentions").get(0).get("matrix");
        for (int i = 0; i < n; i++) for (int k = i + 1; k < n; k++) assertEquals(0.0, m.get(i).get(k).asDouble(), "causal: upper triangle empty");

        // offsets in code points, as Python's string indices (the emoji is one code point, two UTF-16 units)
        JsonNode the = http.post("/attention", Map.of("text", "🐕 the [MASK].", "layers", 0, "heads", 0)).json().get("tokens").get(2);
        assertEquals("the", the.get("text").asText());
        assertEquals(List.of(2, 5), List.of(the.get("start").asInt(), the.get("end").asInt()));

        Http.Reply page = http.post("/attention", Map.of("text", "a [MASK] b", "format", "html", "layer", 2, "head", -1));
        assertEquals(200, page.status());
        assertTrue(page.header("Content-Type").startsWith("text/html"));
        assertTrue(page.body().contains("\"layer\":2") && page.body().contains("\"head\":-1"), "opens on layer 2, mean head");

        assertError(http.post("/attention", Map.of("text", "x", "layers", 12)), 400, "Validation");
        assertError(http.post("/attention", Map.of("text", "x", "heads", List.of())), 400, "Validation");
        assertError(http.post("/attention", Map.of("text", "word ".repeat(600))), 422, "Tokenizer");
        assertError(http.post("/attention", Map.of("text", "x", "format", "png")), 400, "Validation");
        assertError(http.post("/attention", Map.of("text", "word ".repeat(200), "format", "html")), 413, "Validation");
        assertError(http.post("/attention", Map.of("text", "word ".repeat(200))), 413, "Validation");   // 144 × 202² numbers
        assertError(http.post("/attention", Map.of("text", "x", "format", "html", "layer", 12)), 400, "Validation");
    }

    @Test
    void servesTheAttentionPageTheOpenApiDocumentAndItsUi() {
        Http.Reply index = http.get("/");
        assertEquals(200, index.status());
        assertTrue(index.body().contains("/attention") && !index.body().contains("http://") && !index.body().contains("https://"),
                "self-contained, no CDN");
        JsonNode api = http.get("/openapi.json").json();
        assertTrue(api.get("openapi").asText().startsWith("3."));
        for (String route : List.of("/embed", "/embed_all", "/similarity", "/v1/embeddings", "/v1/models", "/tokenize", "/decode",
                "/fill-mask", "/attention", "/predict", "/token-classification", "/health", "/info", "/metrics")) {
            assertTrue(api.get("paths").has(route), "documented: " + route);
        }
        Http.Reply docs = http.get("/docs");
        assertEquals(200, docs.status());
        assertTrue(docs.body().contains("openapi.json") && !docs.body().contains("https://"), "renders the document, no CDN");
    }

    @Test
    void metricsInPrometheusText() {
        http.post("/fill-mask", Map.of("inputs", "a [MASK] c"));
        Http.Reply m = http.get("/metrics");
        assertEquals(200, m.status());
        assertTrue(m.header("Content-Type").startsWith("text/plain"), m.header("Content-Type"));
        String text = m.body();
        assertTrue(text.contains("# TYPE mlm4j_requests_total counter"), text);
        assertTrue(text.contains("mlm4j_requests_total{code=\"200\",route=\"/fill-mask\"}")
                || text.contains("mlm4j_requests_total{route=\"/fill-mask\",code=\"200\"}"), text);
        assertTrue(text.contains("mlm4j_inference_duration_seconds_bucket{model=\"bert-base-uncased\",task=\"fill-mask\",le=\"+Inf\"}"), text);
        assertTrue(text.contains("mlm4j_batch_size_count{model=\"bert-base-uncased\",task=\"fill-mask\"}"), text);
        assertTrue(text.contains("mlm4j_input_tokens_total{model=\"bert-base-uncased\",task=\"fill-mask\"}"), text);
        assertTrue(text.contains("mlm4j_queue_duration_seconds_sum"), text);
        assertTrue(text.contains("mlm4j_requests_in_flight "), text);
    }
}
