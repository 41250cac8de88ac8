package dev.mlm4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.FeatureExtraction.Input;
import dev.mlm4j.pipelines.Models;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.mlm4j.server.EmbeddingRoutesTest.assertVector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * E5's markers over HTTP on the real e5-small-v2 (Maven Central, as the catalogue fetches it): /embed, /embed_all and
 * /v1/embeddings put {@code "query: "} before each text by default, as {@code ./mlm4j embed} does, and
 * {@code "passage: "} with TEI's {@code prompt_name} / OpenAI-style {@code input_type} "passage". The vectors are the
 * Java pipeline's for that {@link Input} (to 1e-6); the pipeline's passage vectors are themselves ONNX Runtime's on the
 * same ONNX file (FeatureExtractionOnnxRuntimeTest, cosine 0.99999). all-MiniLM-L6-v2, which has no markers, refuses
 * {@code prompt_name} and ignores {@code input_type}.
 */
class E5PrefixRoutesTest {

    static final List<String> TEXTS = List.of("The giant panda lives in the mountains of Sichuan.", "how much protein should a female eat");
    static MlmServer server;
    static Http http;
    static FeatureExtraction e5;

    @BeforeAll
    static void start() {
        server = TestServers.start(TestServers.options(), ServedModel.load("e5-small-v2", null), TestServers.miniLm());
        http = new Http(server.baseUrl());
        e5 = Models.embeddings("e5-small-v2");
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop();
    }

    static List<float[]> java(Input input) {
        return e5.extract(TEXTS, FeatureExtraction.Options.DEFAULT.withInput(input)).stream().map(FeatureExtraction.Embedding::vector).toList();
    }

    /** A server without a masked LM answers /fill-mask 424 (the route exists, the model does not), as a task route without its model. */
    @Test
    void fillMaskWithoutAMaskedLmIs424() {
        Http.Reply r = http.post("/fill-mask", Map.of("inputs", "a [MASK]"));
        ServerRoutesTest.assertError(r, 424, "Backend");
        assertTrue(r.json().get("error").asText().startsWith("no model on this server can do fill-mask; it serves"), r.body());
    }

    @Test
    void queryByDefaultPassageWhenAsked() {
        List<float[]> query = java(Input.QUERY), passage = java(Input.PASSAGE);
        assertTrue(Math.abs(query.getFirst()[0] - passage.getFirst()[0]) > 1e-4, "the two markers give different vectors");
        JsonNode teiDefault = http.post("/embed", Map.of("inputs", TEXTS, "model", "e5-small-v2")).json();
        JsonNode teiQuery = http.post("/embed", Map.of("inputs", TEXTS, "model", "e5-small-v2", "prompt_name", "query")).json();
        JsonNode teiPassage = http.post("/embed", Map.of("inputs", TEXTS, "model", "e5-small-v2", "prompt_name", "passage")).json();
        JsonNode oaDefault = http.post("/v1/embeddings", Map.of("input", TEXTS, "model", "e5-small-v2")).json().get("data");
        JsonNode oaPassage = http.post("/v1/embeddings", Map.of("input", TEXTS, "model", "e5-small-v2", "input_type", "passage")).json().get("data");
        for (int i = 0; i < TEXTS.size(); i++) {
            assertVector(query.get(i), teiDefault.get(i), "/embed " + i);
            assertVector(query.get(i), teiQuery.get(i), "/embed query " + i);
            assertVector(passage.get(i), teiPassage.get(i), "/embed passage " + i);
            assertVector(query.get(i), oaDefault.get(i).get("embedding"), "/v1/embeddings " + i);
            assertVector(passage.get(i), oaPassage.get(i).get("embedding"), "/v1/embeddings passage " + i);
        }
        // the marker's tokens are counted as the model sees them: "passage: " is 3 tokens, "query: " 2
        int plain = e5.tokenizer().encode(TEXTS.getFirst(), Integer.MAX_VALUE, false).length();
        JsonNode usage = http.post("/v1/embeddings", Map.of("input", TEXTS.getFirst(), "model", "e5-small-v2", "input_type", "passage")).json().get("usage");
        assertEquals(e5.tokenizer().encode("passage: " + TEXTS.getFirst(), Integer.MAX_VALUE, false).length(), usage.get("prompt_tokens").asInt());
        assertTrue(usage.get("prompt_tokens").asInt() > plain);
        // /embed_all: the passage's token rows, "passage: " included
        JsonNode rows = http.post("/embed_all", Map.of("inputs", TEXTS.getFirst(), "model", "e5-small-v2", "prompt_name", "passage")).json().get(0);
        assertEquals(usage.get("prompt_tokens").asInt(), rows.size());
        // /tokenize counts what /embed runs: the prompt's tokens with the text's (the query marker by default)
        int passageTokens = e5.tokenizer().encode("passage: " + TEXTS.getFirst(), Integer.MAX_VALUE, false).length();
        assertEquals(passageTokens, http.post("/tokenize", Map.of("inputs", TEXTS.getFirst(), "model", "e5-small-v2", "prompt_name", "passage"))
                .json().get(0).size());
        assertEquals(e5.tokenizer().encode("query: " + TEXTS.getFirst(), Integer.MAX_VALUE, false).length(),
                http.post("/tokenize", Map.of("inputs", TEXTS.getFirst(), "model", "e5-small-v2")).json().get(0).size());
        refused(http.post("/tokenize", Map.of("inputs", "x", "model", "e5-small-v2", "prompt_name", "bogus")), 400, "Validation",
                "`prompt_name` must be \"query\" or \"passage\", got \"bogus\"");
    }

    static void refused(Http.Reply r, int status, String type, String message) {
        ServerRoutesTest.assertError(r, status, type);
        assertEquals(message, r.json().get("error").asText());
    }

    @Test
    void badKindsAndModelsWithoutMarkers() {
        refused(http.post("/embed", Map.of("inputs", "x", "model", "e5-small-v2", "prompt_name", "document")), 400, "Validation",
                "`prompt_name` must be \"query\" or \"passage\", got \"document\"");
        refused(http.post("/v1/embeddings", Map.of("input", "x", "model", "e5-small-v2", "input_type", "doc")), 400, "Validation",
                "`input_type` must be \"query\" or \"passage\", got \"doc\"");
        refused(http.post("/embed", Map.of("inputs", "x", "model", TestServers.MINILM, "prompt_name", "passage")), 400, "Validation",
                "`prompt_name` is not supported for this model: it has no prompts (a model with query and passage prefixes, such as"
                        + " e5-small-v2, takes \"query\" or \"passage\")");
        JsonNode plain = http.post("/v1/embeddings", Map.of("input", "x", "model", TestServers.MINILM)).json().get("data").get(0).get("embedding");
        JsonNode passage = http.post("/v1/embeddings", Map.of("input", "x", "model", TestServers.MINILM, "input_type", "passage")).json()
                .get("data").get(0).get("embedding");
        assertEquals(plain, passage);
    }
}
