package dev.mlm4j.server;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.SimpleValidationReportFormat;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The task routes as a TEI user's Java code calls them: Apache HttpClient 5 (nobody here wrote it) sends the JSON a
 * TEI client sends, and every request and reply on a route TEI has is checked against TEI's own published OpenAPI
 * document (src/test/resources/tei/openapi.json, with its source commit in the README beside it) by Atlassian's
 * swagger-request-validator. The answers come from the tiny task checkpoints of mlm4j-core's fixtures, whose
 * expected.json holds what transformers' pipelines answered (labels, words and offsets exactly, scores within 1e-4).
 */
class TeiClientTest {

    static final Path TINY = Path.of("../mlm4j-core/src/test/resources/tasks/tiny");
    static final ObjectMapper JSON = new ObjectMapper();
    static final double TOLERANCE = 1e-4;

    static MlmServer server;
    static CloseableHttpClient client;
    static OpenApiInteractionValidator tei;

    @BeforeAll
    static void start() throws IOException {
        server = MlmServer.start(TestServers.options(), List.of(
                ServedModel.loadTask(ServedModel.Task.TEXT_CLASSIFICATION, "sentiment=" + TINY.resolve("sentiment"), null),
                ServedModel.loadTask(ServedModel.Task.TEXT_CLASSIFICATION, "topics=" + TINY.resolve("topics-multilabel"), null),
                ServedModel.loadTask(ServedModel.Task.TOKEN_CLASSIFICATION, "ner=" + TINY.resolve("ner"), null),
                ServedModel.loadTask(ServedModel.Task.RERANK, "rerank=" + TINY.resolve("rerank"), null),
                ServedModel.loadTask(ServedModel.Task.QUESTION_ANSWERING, "qa=" + TINY.resolve("qa"), null)));
        client = HttpClients.createDefault();
        try (InputStream in = TeiClientTest.class.getResourceAsStream("/tei/openapi.json")) {
            // TEI's schemas do not forbid other fields (no "additionalProperties": false; TEI ignores unknown request fields),
            // so neither does the check: mlm4j's "model" and /info's "models" are allowed. The fields TEI has are checked.
            tei = OpenApiInteractionValidator.createForInlineApiSpecification(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .withLevelResolver(LevelResolver.create()
                            .withLevel("validation.schema.additionalProperties", ValidationReport.Level.IGNORE).build())
                    .build();
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (client != null) client.close();
        if (server != null) server.stop();
    }

    record Reply(int status, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    static Reply send(HttpUriRequestBase request) throws IOException {
        return client.execute(request, r -> new Reply(r.getCode(), EntityUtils.toString(r.getEntity(), StandardCharsets.UTF_8)));
    }

    static Reply post(String base, String path, Object body) throws IOException {
        HttpPost post = new HttpPost(base + path);
        post.setEntity(new StringEntity(JSON.writeValueAsString(body), ContentType.APPLICATION_JSON));
        return send(post);
    }

    /** POSTs {@code body} to a TEI route and checks the request and the reply against TEI's OpenAPI document. */
    static Reply tei(String path, Object body) throws IOException {
        return tei(server.baseUrl(), path, body);
    }

    static Reply tei(String base, String path, Object body) throws IOException {
        String json = JSON.writeValueAsString(body);
        Reply r = post(base, path, body);
        ValidationReport report = tei.validate(SimpleRequest.Builder.post(path).withContentType("application/json").withBody(json).build(),
                SimpleResponse.Builder.status(r.status()).withContentType("application/json").withBody(r.body()).build());
        assertFalse(report.hasErrors(), () -> "not TEI's shape (" + path + " " + json + " → " + r + "):\n"
                + SimpleValidationReportFormat.getInstance().apply(report));
        return r;
    }

    static List<JsonNode> cases(String model, String kwargs) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        JsonNode kw = JSON.readTree(kwargs);
        for (JsonNode c : JSON.readTree(TINY.resolve(model).resolve("expected.json").toFile()).get("cases")) {
            if (c.get("kwargs").equals(kw)) out.add(c);
        }
        assertFalse(out.isEmpty(), "no case of " + model + " with " + kwargs);
        return out;
    }

    /** TEI's PredictInput for a fixture input: a string, or [text, text_pair]. */
    static JsonNode predictInput(JsonNode input) {
        if (input.isTextual()) return input;
        ArrayNode pair = JSON.createArrayNode();
        pair.add(input.get("text").textValue());
        pair.add(input.get("text_pair").textValue());
        return pair;
    }

    /** TEI's predictions (every label, best first) against transformers' {@code top_k=None} output. */
    static void assertLabels(JsonNode expected, JsonNode got, String id) {
        assertTrue(got.isArray(), id + ": " + got);
        assertEquals(expected.size(), got.size(), id + ": " + got);
        for (int i = 0; i < expected.size(); i++) {
            List<String> keys = new ArrayList<>();
            got.get(i).fieldNames().forEachRemaining(keys::add);
            assertEquals(List.of("label", "score"), keys, id + " [" + i + "]: TEI's Prediction");
            assertEquals(expected.get(i).get("label").textValue(), got.get(i).get("label").textValue(), id + " [" + i + "]: " + got);
            assertEquals(expected.get(i).get("score").doubleValue(), got.get(i).get("score").doubleValue(), TOLERANCE, id + " [" + i + "]");
        }
    }

    // ------------------------------------------------------------------ /predict

    @Test
    void predictAnswersEveryLabelSortedAsTransformersForTextsAndPairs() throws IOException {
        for (JsonNode c : cases("sentiment", "{\"top_k\": null}")) {
            Reply r = tei("/predict", Map.of("inputs", predictInput(c.get("input"))));
            assertEquals(200, r.status(), c.get("id") + ": " + r);
            assertLabels(c.get("output"), r.json(), c.get("id").textValue());
        }
    }

    @Test
    void predictBatchAnswersOneListPerInputInOrder() throws IOException {
        List<JsonNode> cases = cases("sentiment", "{\"top_k\": null}");
        ArrayNode batch = JSON.createArrayNode();
        for (JsonNode c : cases) {
            JsonNode in = predictInput(c.get("input"));
            batch.add(in.isArray() ? in : JSON.createArrayNode().add(in));   // a batch holds [text] and [text, text_pair]
        }
        Reply r = tei("/predict", Map.of("inputs", batch, "truncate", false, "truncation_direction", "Right"));
        assertEquals(200, r.status(), r.toString());
        assertEquals(cases.size(), r.json().size());
        for (int i = 0; i < cases.size(); i++) assertLabels(cases.get(i).get("output"), r.json().get(i), cases.get(i).get("id").textValue());
    }

    @Test
    void rawScoresAreTheLogits() throws IOException {
        for (JsonNode c : cases("sentiment", "{\"function_to_apply\": \"none\", \"top_k\": null}")) {
            Reply r = tei("/predict", Map.of("inputs", predictInput(c.get("input")), "raw_scores", true));
            assertEquals(200, r.status(), r.toString());
            assertLabels(c.get("output"), r.json(), c.get("id").textValue());
        }
    }

    @Test
    void aMultiLabelModelScoresEachLabelWithASigmoidAsTransformers() throws IOException {
        for (JsonNode c : cases("topics-multilabel", "{\"top_k\": null}")) {
            Reply r = tei("/predict", Map.of("inputs", predictInput(c.get("input")), "model", "topics"));
            assertEquals(200, r.status(), r.toString());
            assertLabels(c.get("output"), r.json(), c.get("id").textValue());
        }
    }

    @Test
    void aTextOverTheMaximumIs422UnlessTruncatedThenItIsItsFirst512Tokens() throws IOException {
        String sentence = "the acting was wonderful ";    // four words, four tokens each time
        String long_ = sentence.repeat(200);                 // 800 tokens + [CLS] [SEP]
        Reply tooLong = tei("/predict", Map.of("inputs", long_));
        assertEquals(422, tooLong.status(), tooLong.toString());
        assertEquals("Tokenizer", tooLong.json().get("error_type").textValue());
        assertTrue(tooLong.json().get("error").textValue().contains("802 tokens"), tooLong.toString());

        Reply cut = tei("/predict", Map.of("inputs", long_, "truncate", true));
        assertEquals(200, cut.status(), cut.toString());
        String first510 = sentence.repeat(127) + "the acting";   // 127 × 4 + 2 = 510 tokens + [CLS] [SEP] = 512
        Reply same = tei("/predict", Map.of("inputs", first510));
        assertEquals(200, same.status(), same.toString());
        assertEquals(same.json(), cut.json());
    }

    @Test
    void badInputsGetTeisErrorShapeAndStatus() throws IOException {
        Reply empty = tei("/predict", Map.of("inputs", List.of()));
        assertEquals(400, empty.status(), empty.toString());
        assertEquals("Empty", empty.json().get("error_type").textValue());

        Reply nothing = tei("/predict", Map.of("inputs", ""));
        assertEquals(400, nothing.status(), nothing.toString());
        assertEquals("Empty", nothing.json().get("error_type").textValue());
        // TEI refuses only "" (EncodingInput::is_empty); whitespace is a text like any other
        Reply blank = tei("/predict", Map.of("inputs", "  "));
        assertEquals(200, blank.status(), blank.toString());

        List<List<String>> many = new ArrayList<>();
        for (int i = 0; i < 33; i++) many.add(List.of("text " + i));
        Reply tooMany = tei("/predict", Map.of("inputs", many));
        assertEquals(413, tooMany.status(), tooMany.toString());
        assertEquals("Validation", tooMany.json().get("error_type").textValue());

        Reply three = post(server.baseUrl(), "/predict", Map.of("inputs", List.of("a", "b", "c")));
        assertEquals(400, three.status(), three.toString());
        assertTrue(three.json().get("error").textValue().contains("pair"), three.toString());

        Reply left = post(server.baseUrl(), "/predict", Map.of("inputs", "fine", "truncation_direction", "Left"));
        assertEquals(400, left.status(), left.toString());
    }

    @Test
    void aRouteWhoseModelWasNotGivenAnswers424NamingTheOption() throws IOException {
        try (MlmServer nerOnly = MlmServer.start(TestServers.options(),
                List.of(ServedModel.loadTask(ServedModel.Task.TOKEN_CLASSIFICATION, TINY.resolve("ner").toString(), null)))) {
            Reply r = tei(nerOnly.baseUrl(), "/predict", Map.of("inputs", "I loved it."));
            assertEquals(424, r.status(), r.toString());
            assertEquals("Backend", r.json().get("error_type").textValue());
            assertTrue(r.json().get("error").textValue().contains("--classifier"), r.toString());
            HttpGet info = new HttpGet(nerOnly.baseUrl() + "/info");
            JsonNode models = JSON.readTree(send(info).body()).get("models");
            assertEquals(1, models.size());
            assertEquals("ner", models.get(0).get("name").textValue());
            assertEquals("[\"token-classification\"]", models.get(0).get("tasks").toString());
            assertEquals("/token-classification", models.get(0).get("route").textValue());
        }
    }

    @Test
    void infoIsTeisForTheFirstModelAndListsEveryModelWithItsRoute() throws IOException {
        Reply r = send(new HttpGet(server.baseUrl() + "/info"));
        ValidationReport report = tei.validate(SimpleRequest.Builder.get("/info").build(),
                SimpleResponse.Builder.status(r.status()).withContentType("application/json").withBody(r.body()).build());
        assertFalse(report.hasErrors(), () -> r + "\n" + SimpleValidationReportFormat.getInstance().apply(report));
        JsonNode info = r.json();
        assertEquals("{\"0\":\"NEGATIVE\",\"1\":\"POSITIVE\"}", info.get("model_type").get("classifier").get("id2label").toString());
        Map<String, String> routes = new HashMap<>();
        for (JsonNode m : info.get("models")) routes.put(m.get("name").textValue(), m.get("route").textValue());
        assertEquals(Map.of("sentiment", "/predict", "topics", "/predict", "ner", "/token-classification", "rerank", "/rerank",
                "qa", "/question-answering"), routes);
    }

    @Test
    void theServersOwnOpenApiDocumentDescribesTheTaskRoutesAsTheyAnswer() throws IOException {
        OpenApiInteractionValidator own = OpenApiInteractionValidator.createForInlineApiSpecification(
                send(new HttpGet(server.baseUrl() + "/openapi.json")).body()).build();
        List<Map<String, Object>> calls = List.of(
                Map.of("inputs", List.of(List.of("I loved it."), List.of("A man plays.", "Someone makes music.")), "raw_scores", true),
                Map.of("inputs", "My name is Wolfgang and I live in Berlin.", "aggregation_strategy", "simple"),
                Map.of("inputs", List.of("Berlin", "Paris"), "parameters", Map.of("ignore_labels", List.of())),
                Map.of("query", "How tall is it?", "texts", List.of("330 metres.", "In Paris."), "return_text", true),
                Map.of("question", "Where is it?", "context", "The tower is in Paris, France.", "top_k", 2),
                Map.of("inputs", List.of(Map.of("question", "Where is it?", "context", "The tower is in Paris.")),
                        "parameters", Map.of("handle_impossible_answer", true)));
        List<String> paths = List.of("/predict", "/token-classification", "/token-classification", "/rerank", "/question-answering",
                "/question-answering");
        for (int i = 0; i < calls.size(); i++) {
            String json = JSON.writeValueAsString(calls.get(i));
            Reply r = post(server.baseUrl(), paths.get(i), calls.get(i));
            assertEquals(200, r.status(), r.toString());
            ValidationReport report = own.validate(SimpleRequest.Builder.post(paths.get(i)).withContentType("application/json").withBody(json).build(),
                    SimpleResponse.Builder.status(r.status()).withContentType("application/json").withBody(r.body()).build());
            assertFalse(report.hasErrors(), () -> r + "\n" + SimpleValidationReportFormat.getInstance().apply(report));
        }
    }

    // ------------------------------------------------------------------ /token-classification

    @Test
    void tokenClassificationIsTransformersAnswerForEveryCase() throws IOException {
        int n = 0;
        for (JsonNode c : JSON.readTree(TINY.resolve("ner").resolve("expected.json").toFile()).get("cases")) {
            ObjectNode body = ((ObjectNode) c.get("kwargs").deepCopy());
            if (n % 2 == 1) body = (ObjectNode) JSON.createObjectNode().set("parameters", body);   // the Inference API's shape too
            body.set("inputs", c.get("input"));
            Reply r = post(server.baseUrl(), "/token-classification", body);
            assertEquals(200, r.status(), c.get("id") + ": " + r);
            assertEntities(c.get("output"), r.json(), c.get("id").textValue());
            n++;
        }
        assertTrue(n >= 30, "only " + n + " cases");
    }

    @Test
    void aListOfTextsGetsOneListOfEntitiesPerText() throws IOException {
        List<JsonNode> cases = cases("ner", "{\"aggregation_strategy\": \"simple\"}").subList(0, 5);
        List<String> texts = cases.stream().map(c -> c.get("input").textValue()).toList();
        Reply r = post(server.baseUrl(), "/token-classification", Map.of("inputs", texts, "aggregation_strategy", "simple"));
        assertEquals(200, r.status(), r.toString());
        assertEquals(texts.size(), r.json().size());
        for (int i = 0; i < texts.size(); i++) assertEntities(cases.get(i).get("output"), r.json().get(i), cases.get(i).get("id").textValue());
    }

    @Test
    void tokenClassificationRefusesBadOptionsWithTheFieldNamed() throws IOException {
        Reply agg = post(server.baseUrl(), "/token-classification", Map.of("inputs", "Berlin", "aggregation_strategy", "loudest"));
        assertEquals(400, agg.status(), agg.toString());
        assertTrue(agg.json().get("error").textValue().contains("loudest"), agg.toString());
        Reply stride = post(server.baseUrl(), "/token-classification", Map.of("inputs", "Berlin", "stride", 16));
        assertEquals(400, stride.status(), stride.toString());
        assertTrue(stride.json().get("error").textValue().contains("aggregation"), stride.toString());
        Reply classifier = post(server.baseUrl(), "/token-classification", Map.of("inputs", "Berlin", "model", "sentiment"));
        assertEquals(400, classifier.status(), classifier.toString());
    }

    static void assertEntities(JsonNode expected, JsonNode got, String id) {
        assertTrue(got.isArray(), id + ": " + got);
        assertEquals(expected.size(), got.size(), id + ": " + got);
        for (int i = 0; i < expected.size(); i++) {
            JsonNode e = expected.get(i), g = got.get(i);
            List<String> keys = new ArrayList<>();
            e.fieldNames().forEachRemaining(keys::add);
            List<String> gotKeys = new ArrayList<>();
            g.fieldNames().forEachRemaining(gotKeys::add);
            assertEquals(keys, gotKeys, id + " [" + i + "]: " + g);
            for (String k : keys) {
                if (k.equals("score")) assertEquals(e.get(k).doubleValue(), g.get(k).doubleValue(), TOLERANCE, id + " [" + i + "]");
                else assertEquals(e.get(k), g.get(k), id + " [" + i + "]." + k);
            }
        }
    }

    @Test
    void taskRequestsAreBatchedAndCountedLikeEveryOther() throws IOException {
        assertEquals(200, tei("/predict", Map.of("inputs", "I loved it.")).status());
        assertEquals(200, tei("/rerank", Map.of("query", "q", "texts", List.of("a passage"))).status());
        String metrics = send(new HttpGet(server.baseUrl() + "/metrics")).body();
        for (List<String> parts : List.of(List.of("mlm4j_requests_total{", "route=\"/predict\"", "code=\"200\""),
                List.of("mlm4j_requests_total{", "route=\"/rerank\"", "code=\"200\""),
                List.of("mlm4j_batches_total{", "model=\"sentiment\"", "task=\"text-classification\""),
                List.of("mlm4j_batches_total{", "model=\"rerank\"", "task=\"rerank\""))) {
            assertTrue(metrics.lines().anyMatch(l -> parts.stream().allMatch(l::contains)), parts + " in\n" + metrics);
        }
    }

    // ------------------------------------------------------------------ /rerank

    @Test
    void rerankIsTeisAnswerForEveryCaseWithAndWithoutRawScoresAndText() throws IOException {
        for (JsonNode c : JSON.readTree(TINY.resolve("rerank").resolve("expected.json").toFile()).get("cases")) {
            String id = c.get("id").textValue();
            Reply r = tei("/rerank", Map.of("query", c.get("query"), "texts", c.get("documents")));
            assertEquals(200, r.status(), id + ": " + r);
            assertRanks(c.get("tei_rerank"), r.json(), null, id);
            Reply raw = tei("/rerank", Map.of("query", c.get("query"), "texts", c.get("documents"), "raw_scores", true, "return_text", true,
                    "truncate", true, "truncation_direction", "Right"));
            assertEquals(200, raw.status(), id + ": " + raw);
            assertRanks(c.get("tei_rerank_raw_scores"), raw.json(), c.get("documents"), id + " raw");
        }
    }

    @Test
    void rerankRefusesWhatTeiRefusesInTeisShape() throws IOException {
        Reply empty = tei("/rerank", Map.of("query", "What is Deep Learning?", "texts", List.of()));
        assertEquals(400, empty.status(), empty.toString());
        assertEquals("Empty", empty.json().get("error_type").textValue());
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 33; i++) many.add("passage " + i);
        Reply tooMany = tei("/rerank", Map.of("query", "q", "texts", many));
        assertEquals(413, tooMany.status(), tooMany.toString());
        Reply tooLong = tei("/rerank", Map.of("query", "the acting was wonderful ".repeat(100), "texts", List.of("the acting ".repeat(100))));
        assertEquals(422, tooLong.status(), tooLong.toString());
        assertEquals("Tokenizer", tooLong.json().get("error_type").textValue());
        Reply cut = tei("/rerank", Map.of("query", "the acting was wonderful ".repeat(100), "texts", List.of("the acting ".repeat(100)), "truncate", true));
        assertEquals(200, cut.status(), cut.toString());
        // as TEI: an empty or blank passage gets a score (one empty document must not fail the request); only a pair
        // whose two sides are both "" is refused
        Reply blanks = tei("/rerank", Map.of("query", "q", "texts", List.of("a passage", "", "   ")));
        assertEquals(200, blanks.status(), blanks.toString());
        assertEquals(3, blanks.json().size(), blanks.toString());
        Reply bothEmpty = tei("/rerank", Map.of("query", "", "texts", List.of("")));
        assertEquals(400, bothEmpty.status(), bothEmpty.toString());
        assertEquals("Empty", bothEmpty.json().get("error_type").textValue());
        try (MlmServer noReranker = MlmServer.start(TestServers.options(),
                List.of(ServedModel.loadTask(ServedModel.Task.TEXT_CLASSIFICATION, TINY.resolve("sentiment").toString(), null)))) {
            Reply r = tei(noReranker.baseUrl(), "/rerank", Map.of("query", "q", "texts", List.of("a passage")));
            assertEquals(424, r.status(), r.toString());
            assertTrue(r.json().get("error").textValue().contains("--reranker"), r.toString());
        }
    }

    static void assertRanks(JsonNode expected, JsonNode got, JsonNode documents, String id) {
        assertEquals(expected.size(), got.size(), id + ": " + got);
        for (int i = 0; i < expected.size(); i++) {
            JsonNode e = expected.get(i), g = got.get(i);
            assertEquals(e.get("index").intValue(), g.get("index").intValue(), id + " [" + i + "]: " + got);
            assertEquals(e.get("score").doubleValue(), g.get("score").doubleValue(), TOLERANCE, id + " [" + i + "]");
            if (documents == null) assertFalse(g.has("text"), id + ": no text unless return_text");
            else assertEquals(documents.get(e.get("index").intValue()), g.get("text"), id + " [" + i + "].text");
        }
    }

    // ------------------------------------------------------------------ /question-answering

    @Test
    void questionAnsweringIsTransformersAnswerForEveryCase() throws IOException {
        int n = 0;
        for (JsonNode c : JSON.readTree(TINY.resolve("qa").resolve("expected.json").toFile()).get("cases")) {
            ObjectNode body = JSON.createObjectNode();
            if (n % 2 == 0) {           // the flat shape: question, context and the parameters side by side
                body.setAll((ObjectNode) c.get("input").deepCopy());
                body.setAll((ObjectNode) c.get("kwargs").deepCopy());
            } else {                    // the Inference API's shape
                body.set("inputs", c.get("input"));
                body.set("parameters", c.get("kwargs"));
            }
            Reply r = post(server.baseUrl(), "/question-answering", body);
            String id = c.get("id").textValue();
            assertEquals(200, r.status(), id + ": " + r);
            JsonNode expected = c.get("output"), got = r.json();
            assertEquals(expected.isArray(), got.isArray(), id + ": " + got);
            if (!expected.isArray()) {
                expected = JSON.createArrayNode().add(expected);
                got = JSON.createArrayNode().add(got);
            }
            assertAnswers(expected, got, c.path("near_tie").asBoolean(false), id);
            n++;
        }
        assertTrue(n >= 30, "only " + n + " cases");
    }

    @Test
    void aListOfQuestionsGetsOneAnswerEach() throws IOException {
        List<JsonNode> cases = cases("qa", "{}").subList(0, 4);
        Reply r = post(server.baseUrl(), "/question-answering", Map.of("inputs", cases.stream().map(c -> c.get("input")).toList()));
        assertEquals(200, r.status(), r.toString());
        assertEquals(cases.size(), r.json().size());
        for (int i = 0; i < cases.size(); i++) {
            assertAnswers(JSON.createArrayNode().add(cases.get(i).get("output")), JSON.createArrayNode().add(r.json().get(i)), false,
                    cases.get(i).get("id").textValue());
        }
    }

    @Test
    void aQuestionWithoutContextIsAClearError() throws IOException {
        Reply noContext = post(server.baseUrl(), "/question-answering", Map.of("question", "Where is it?", "context", " "));
        assertEquals(400, noContext.status(), noContext.toString());
        assertEquals("Empty", noContext.json().get("error_type").textValue());
        assertTrue(noContext.json().get("error").textValue().contains("needs a context"), noContext.toString());
        Reply missing = post(server.baseUrl(), "/question-answering", Map.of("inputs", Map.of("question", "Where is it?")));
        assertEquals(400, missing.status(), missing.toString());
        assertTrue(missing.json().get("error").textValue().contains("`inputs.context`"), missing.toString());
        Reply unknown = post(server.baseUrl(), "/question-answering", Map.of("question", "Where?", "context", "Here.",
                "parameters", Map.of("top_p", 3)));
        assertEquals(400, unknown.status(), unknown.toString());
        assertTrue(unknown.json().get("error").textValue().contains("top_p"), unknown.toString());
    }

    static void assertAnswers(JsonNode expected, JsonNode got, boolean nearTie, String id) {
        assertEquals(expected.size(), got.size(), id + ": " + got);
        List<JsonNode> e = new ArrayList<>(), g = new ArrayList<>();
        expected.forEach(e::add);
        got.forEach(g::add);
        if (nearTie) {      // neighbours closer than 1e-4 may come in either order: compare as sets
            Comparator<JsonNode> bySpan = Comparator.<JsonNode>comparingInt(a -> a.get("start").intValue()).thenComparingInt(a -> a.get("end").intValue());
            e.sort(bySpan);
            g.sort(bySpan);
        }
        for (int i = 0; i < e.size(); i++) {
            List<String> keys = new ArrayList<>();
            g.get(i).fieldNames().forEachRemaining(keys::add);
            assertEquals(List.of("score", "start", "end", "answer"), keys, id + " [" + i + "]");
            for (String k : List.of("start", "end", "answer")) assertEquals(e.get(i).get(k), g.get(i).get(k), id + " [" + i + "]." + k + ": " + got);
            assertEquals(e.get(i).get("score").doubleValue(), g.get(i).get("score").doubleValue(), TOLERANCE, id + " [" + i + "]");
        }
    }
}
