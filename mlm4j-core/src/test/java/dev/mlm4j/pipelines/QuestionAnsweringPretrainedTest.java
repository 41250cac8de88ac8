package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.config.Precision;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The QA head of {@code tasks/pretrained/qa-bert-base-uncased} (trained on frozen bert-base-uncased features by
 * scripts/reference/tasks/make_fixtures.py) assembled onto {@code ./mlm4j convert bert-base-uncased}'s output by
 * {@link TaskFixtures#pretrained} (no pooler, as transformers builds BertForQuestionAnswering), then every case of its
 * expected.json (transformers 4.57.6's question-answering span rules on transformers' start/end logits, cross-checked
 * against the real 4.57.6 pipeline): answers and offsets exactly, scores within 1e-4, HF's reply shape.
 */
class QuestionAnsweringPretrainedTest {
    static QuestionAnswering qa;
    static JsonNode expected;

    @BeforeAll
    static void assemble() throws Exception {
        expected = TaskFixtures.expected(TaskFixtures.pretrainedFixture("qa-bert-base-uncased"));
        Path folder = TaskFixtures.pretrained("qa-bert-base-uncased");
        qa = QuestionAnswering.load(folder, "qa-bert-base-uncased", Precision.FP32); // not through Models' per-JVM cache: its 440 MB go after this class
    }

    /** JUnit keeps a test class's statics for the rest of the run: drop the 440 MB model when this class is done. */
    @org.junit.jupiter.api.AfterAll
    static void release() {
        qa = null;
    }

    @TestFactory
    Stream<DynamicTest> bertBaseUncasedQaMatchesTransformers() {
        return TaskFixtures.eachCase(expected, 30, c -> QuestionAnsweringTest.check(qa, c));
    }
}
