package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.config.Precision;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The NER head of {@code tasks/pretrained/ner-bert-base-cased} (trained on frozen bert-base-cased features by
 * scripts/reference/tasks/make_fixtures.py) assembled onto {@code ./mlm4j convert bert-base-cased}'s output as the
 * fixture README says (encoder tensors without pooler and masked-LM head, plus head.safetensors; config.json with the
 * fragment's keys), then every case of its expected.json (transformers 5.18's token-classification pipeline):
 * labels, words and offsets exactly, scores within 1e-4.
 */
class TokenClassificationPretrainedTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static TokenClassification ner;
    static JsonNode expected;

    @BeforeAll
    static void assemble() throws Exception {
        Path fixture = Path.of(TokenClassificationPretrainedTest.class.getResource("/tasks/pretrained/ner-bert-base-cased").toURI());
        expected = JSON.readTree(fixture.resolve("expected.json").toFile());
        Path folder = TaskFixtures.pretrained("ner-bert-base-cased");
        ner = TokenClassification.load(folder, "ner-bert-base-cased", Precision.FP32); // not through Models' per-JVM cache: 440 MB freed after this class
    }

    /** JUnit keeps a test class's statics for the rest of the run: drop the 440 MB model when this class is done. */
    @org.junit.jupiter.api.AfterAll
    static void release() {
        ner = null;
    }

    @TestFactory
    Stream<DynamicTest> bertBaseCasedNerMatchesTransformers() {
        return TaskFixtures.eachCase(expected, 0, c -> TokenClassificationTest.check(ner, c));
    }
}
