package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.pipelines.TextClassification.Input;
import dev.mlm4j.pipelines.TextClassification.Label;
import dev.mlm4j.pipelines.TextClassification.Options;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every case of the tiny task checkpoints' expected.json (src/test/resources/tasks/, made by
 * scripts/reference/tasks/make_fixtures.py with transformers 5.18's own {@code pipeline("text-classification")}):
 * mlm4j's JSON reply has the same shape, the same labels in the same order, and scores within 1e-4; cases flagged
 * {@code near_tie} (neighbours less than 1e-4 apart) are compared as sets of (label, score).
 */
class TextClassificationFixturesTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final double TOLERANCE = 1e-4;

    static Path tiny(String name) throws Exception {
        return Path.of(TextClassificationFixturesTest.class.getResource("/tasks/tiny/" + name).toURI());
    }

    @TestFactory
    Stream<DynamicTest> tinyTextClassificationFixtures() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : List.of("sentiment", "topics-multilabel", "rating-regression")) {
            Path folder = tiny(name);
            JsonNode expected = JSON.readTree(folder.resolve("expected.json").toFile());
            assertEquals("text-classification", expected.get("task").asText());
            TextClassification tc = Models.textClassification(folder.toString());
            for (JsonNode c : expected.get("cases")) {
                tests.add(DynamicTest.dynamicTest(name + " " + c.get("id").asText(), () -> check(tc, c)));
            }
        }
        assertTrue(tests.size() >= 3 * 100, "fixtures have " + tests.size() + " cases");
        return tests.stream();
    }

    static Options options(JsonNode kwargs) {
        Options o = Options.DEFAULT;
        if (kwargs.has("top_k")) o = kwargs.get("top_k").isNull() ? o.withAllLabels() : o.withTopK(kwargs.get("top_k").intValue());
        if (kwargs.has("function_to_apply")) o = o.withFunction(TextClassification.Function.of(kwargs.get("function_to_apply").asText()));
        return o;
    }

    static Input input(JsonNode in) {
        return in.isTextual() ? Input.of(in.asText()) : Input.pair(in.get("text").asText(), in.get("text_pair").asText());
    }

    static void check(TextClassification tc, JsonNode c) {
        Input in = input(c.get("input"));
        Options o = options(c.get("kwargs"));
        List<Label> labels = tc.classify(List.of(in), o).getFirst();
        JsonNode actual = TextClassification.toJson(in, labels, o);
        JsonNode want = c.get("output");
        String where = c.get("id").asText() + ": expected " + want + ", got " + actual;
        assertEquals(want.isArray(), actual.isArray(), "reply shape, " + where);
        if (!want.isArray()) {
            assertLabel(want, actual, where);
            return;
        }
        assertEquals(want.size(), actual.size(), where);
        if (c.path("near_tie").asBoolean(false)) {
            Map<String, Double> w = new TreeMap<>(), a = new TreeMap<>();
            for (JsonNode x : want) w.put(x.get("label").asText(), x.get("score").asDouble());
            for (JsonNode x : actual) a.put(x.get("label").asText(), x.get("score").asDouble());
            assertEquals(w.keySet(), a.keySet(), where);
            for (String k : w.keySet()) assertEquals(w.get(k), a.get(k), TOLERANCE, where);
            return;
        }
        for (int i = 0; i < want.size(); i++) assertLabel(want.get(i), actual.get(i), where);
    }

    static void assertLabel(JsonNode want, JsonNode actual, String where) {
        assertEquals(want.get("label").asText(), actual.get("label").asText(), where);
        assertEquals(want.get("score").asDouble(), actual.get("score").asDouble(), TOLERANCE, where);
        assertEquals(2, actual.size(), where);
    }
}
