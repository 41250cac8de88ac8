package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.config.Precision;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The zero-shot fixtures (src/test/resources/tasks/{tiny/nli, pretrained/nli-bert-base-uncased}; outputs of
 * transformers 5.18's own {@code pipeline("zero-shot-classification")}, made by scripts/reference/tasks/make_fixtures.py):
 * every case's reply {@code {"sequence","labels","scores"}} with the labels in the same order and scores within 1e-4;
 * cases flagged {@code near_tie} (neighbours under 1e-4 apart) compare labels as a set. The cases cover the default and
 * other templates (one in German), multi_label, single candidates (which HF scores as multi-label) and long texts.
 */
class ZeroShotClassificationTest {

    static final double TOLERANCE = 1e-4;

    @TestFactory
    Stream<DynamicTest> tinyNliFixture() {
        Path folder = TaskFixtures.tiny("nli");
        ZeroShotClassification zs = Models.zeroShotClassification(folder.toString(), null, Precision.FP32);
        assertEquals(2, zs.entailmentId());
        return TaskFixtures.eachCase(TaskFixtures.expected(folder), 30, c -> check(zs, c));
    }

    /** A seeded MNLI-ordered head on the real bert-base-uncased; loaded outside Models' cache so its 440 MB go after the test. */
    @Test
    void nliHeadOnBertBaseUncasedMatchesTransformers() throws Exception {
        String name = "nli-bert-base-uncased";
        Path dir = TaskFixtures.pretrained(name);
        JsonNode expected = TaskFixtures.expected(TaskFixtures.pretrainedFixture(name));
        assertEquals("zero-shot-classification", expected.get("task").asText());
        ZeroShotClassification zs = ZeroShotClassification.of(TextClassification.load(dir, name, Precision.FP32), dir, name);
        TaskFixtures.assertEveryCase(name, expected, 30, c -> check(zs, c));
    }

    static ZeroShotClassification.Options options(JsonNode kwargs) {
        ZeroShotClassification.Options o = ZeroShotClassification.Options.DEFAULT;
        if (kwargs.has("hypothesis_template")) o = o.withTemplate(kwargs.get("hypothesis_template").asText());
        if (kwargs.has("multi_label")) o = o.withMultiLabel(kwargs.get("multi_label").asBoolean());
        return o;
    }

    static void check(ZeroShotClassification zs, JsonNode c) {
        JsonNode kw = c.get("kwargs");
        JsonNode cl = kw.get("candidate_labels");
        List<String> labels = new ArrayList<>();
        if (cl.isTextual()) labels.addAll(ZeroShotClassification.parseLabels(cl.asText()));
        else cl.forEach(l -> labels.add(l.asText()));
        JsonNode got = zs.classify(c.get("input").asText(), labels, options(kw)).toJson();
        JsonNode want = c.get("output");
        String where = c.get("id").asText() + ": expected " + want + ", got " + got;
        assertEquals(List.of("sequence", "labels", "scores"), RerankTest.fields(got), where);
        assertEquals(want.get("sequence").asText(), got.get("sequence").asText(), where);
        int n = want.get("labels").size();
        assertEquals(n, got.get("labels").size(), where);
        if (c.path("near_tie").asBoolean(false)) {
            Map<String, Double> w = new TreeMap<>(), g = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                w.put(want.get("labels").get(i).asText(), want.get("scores").get(i).asDouble());
                g.put(got.get("labels").get(i).asText(), got.get("scores").get(i).asDouble());
            }
            assertEquals(w.keySet(), g.keySet(), where);
            for (String k : w.keySet()) assertEquals(w.get(k), g.get(k), TOLERANCE, where);
            return;
        }
        for (int i = 0; i < n; i++) {
            assertEquals(want.get("labels").get(i).asText(), got.get("labels").get(i).asText(), where);
            assertEquals(want.get("scores").get(i).asDouble(), got.get("scores").get(i).asDouble(), TOLERANCE, where);
        }
    }

    /**
     * A text of 902 tokens is cut to the model's 512 "only first": the text loses its end, the hypothesis stays whole.
     * Expected values: transformers 5.18.0 (tokenizers 0.23.2; plain truncation, untouched by its overflow bug)
     * {@code pipeline("zero-shot-classification", model=tiny/nli)(text, candidate_labels=[...])}, run once by hand for this test.
     */
    @Test
    void aTextOverTheModelsLengthIsTruncatedOnlyFirstAsHuggingFaceDoes() {
        ZeroShotClassification zs = Models.zeroShotClassification(TaskFixtures.tiny("nli").toString(), null, Precision.FP32);
        String text = String.join(" ", java.util.Collections.nCopies(60, "The team won the championship after a dramatic penalty shootout in the final minutes."));
        List<String> labels = List.of("sports", "politics", "technology");
        var single = zs.classify(text, labels, ZeroShotClassification.Options.DEFAULT);
        assertEquals(List.of("sports", "technology", "politics"), single.labels());
        double[] want = {0.33441340923309326, 0.33290591835975647, 0.33268067240715027};
        for (int i = 0; i < 3; i++) assertEquals(want[i], single.scores().get(i), TOLERANCE);
        var multi = zs.classify(text, labels, ZeroShotClassification.Options.DEFAULT.withMultiLabel(true));
        Map<String, Double> wantMulti = Map.of("sports", 0.9648582935333252, "technology", 0.9646836519241333, "politics", 0.9646791815757751);
        for (int i = 0; i < 3; i++) assertEquals(wantMulti.get(multi.labels().get(i)), multi.scores().get(i), TOLERANCE, multi.toString());
    }

    @Test
    void labelsAsACommaSeparatedStringAreSplitAsHuggingFaceDoes() {
        assertEquals(List.of("sports", "politics", "food and drink"), ZeroShotClassification.parseLabels(" sports, politics,,food and drink , "));
        assertEquals(List.of(), ZeroShotClassification.parseLabels(" , "));
        ZeroShotClassification zs = Models.zeroShotClassification(TaskFixtures.tiny("nli").toString(), null, Precision.FP32);
        String text = "The team won the championship after a dramatic penalty shootout.";
        assertEquals(zs.classify(text, List.of("sports", "politics"), ZeroShotClassification.Options.DEFAULT),
                zs.classify(text, ZeroShotClassification.parseLabels("sports,politics"), ZeroShotClassification.Options.DEFAULT));
    }

    @Test
    void templatesAreFormattedAsPythonFormatsThem() {
        assertEquals("This example is sports.", ZeroShotClassification.format("This example is {}.", "sports"));
        assertEquals("{sports}", ZeroShotClassification.format("{{{0}}}", "sports"));
        assertEquals("sports or not sports", ZeroShotClassification.format("{0} or not {0}", "sports"));
        for (String bad : List.of("It is {label}.", "It is {", "It is }", "{1}", "{} or {}", "{} or {0}")) {
            assertThrows(IllegalArgumentException.class, () -> ZeroShotClassification.format(bad, "x"), bad);
        }
    }

    @Test
    void badInputIsAClearError() {
        ZeroShotClassification zs = Models.zeroShotClassification(TaskFixtures.tiny("nli").toString(), null, Precision.FP32);
        var o = ZeroShotClassification.Options.DEFAULT;
        var empty = assertThrows(IllegalArgumentException.class, () -> zs.classify("A text.", List.of(), o));
        assertEquals("candidate_labels is empty: give at least one label", empty.getMessage());
        var noField = assertThrows(IllegalArgumentException.class, () -> zs.classify("A text.", List.of("a"), o.withTemplate("No label here.")));
        assertTrue(noField.getMessage().contains("was not able to be formatted with the target labels"), noField.getMessage());
        var emptyText = assertThrows(IllegalArgumentException.class, () -> zs.classify("", List.of("a"), o));
        assertTrue(emptyText.getMessage().contains("empty"), emptyText.getMessage());
        // a text over the model's 512 tokens is truncated (only the text), as HF's only_first
        var r = zs.classify("word ".repeat(700), List.of("a", "b"), o);
        assertEquals(2, r.labels().size());
    }

    @Test
    void aModelWithoutEntailmentLabelIsRefused(@TempDir Path tmp) throws Exception {
        Path src = TaskFixtures.tiny("nli");
        try (var s = Files.list(src)) {
            for (Path p : s.toList()) Files.copy(p, tmp.resolve(p.getFileName()));
        }
        String config = Files.readString(tmp.resolve("config.json")).replace("\"entailment\"", "\"implied\"");
        Files.writeString(tmp.resolve("config.json"), config);
        var e = assertThrows(IllegalArgumentException.class, () -> Models.zeroShotClassification(tmp.toString(), null, Precision.FP32));
        assertTrue(e.getMessage().contains("no entailment label") && e.getMessage().contains("implied"), e.getMessage());
        var notClassifier = assertThrows(IllegalArgumentException.class,
                () -> Models.zeroShotClassification(TaskFixtures.tiny("ner").toString(), null, Precision.FP32));
        assertTrue(notClassifier.getMessage().contains("not a sequence classifier"), notClassifier.getMessage());
    }
}
