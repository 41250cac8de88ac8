package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import dev.mlm4j.config.Precision;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The pretrained text-classification fixtures (src/test/resources/tasks/pretrained/*-bert-base-uncased: seeded heads
 * on the real bert-base-uncased, outputs of transformers 5.18's text-classification pipeline) assembled as its README
 * says ({@link TaskFixtures#pretrained}). Every case must match.
 */
class TextClassificationPretrainedTest {

    /**
     * Sentiment (softmax, 2 labels), multi-label topics (sigmoid) and regression (raw score), all on bert-base-uncased.
     * One test per fixture, every case checked ({@code assertAll} names each failing case); the model is loaded
     * inside the test and not through {@link Models}' per-JVM cache, so its 440 MB go when the test ends.
     */
    @TestFactory
    Stream<DynamicTest> headsOnBertBaseUncasedMatchTransformers() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String fixture : List.of("sentiment-bert-base-uncased", "topics-multilabel-bert-base-uncased", "rating-regression-bert-base-uncased")) {
            tests.add(DynamicTest.dynamicTest(fixture, () -> {
                Path dir = TaskFixtures.pretrained(fixture);
                Path res = Path.of(TextClassificationPretrainedTest.class.getResource("/tasks/pretrained/" + fixture).toURI());
                JsonNode expected = TextClassificationFixturesTest.JSON.readTree(res.resolve("expected.json").toFile());
                assertEquals("text-classification", expected.get("task").asText());
                TextClassification tc = TextClassification.load(dir, fixture, Precision.FP32);
                TaskFixtures.assertEveryCase(fixture, expected, 100, c -> TextClassificationFixturesTest.check(tc, c));
            }));
        }
        return tests.stream();
    }
}
