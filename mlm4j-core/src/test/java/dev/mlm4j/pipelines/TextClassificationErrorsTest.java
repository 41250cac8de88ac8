package dev.mlm4j.pipelines;

import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.safetensors.SafetensorsCheckpoint;
import dev.mlm4j.weights.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A folder that is not a working sequence classifier is refused in one line that says why, never run with wrong labels. */
class TextClassificationErrorsTest {

    @TempDir
    Path tmp;

    /** A copy of the tiny sentiment checkpoint with tensors dropped ({@code drop}) or replaced ({@code put}). */
    private Path copy(String name, Predicate<String> drop, Map<String, FloatTensor> put) throws Exception {
        Path from = TextClassificationFixturesTest.tiny("sentiment");
        Path dir = Files.createDirectories(tmp.resolve(name));
        try (var s = Files.list(from)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                if (!p.getFileName().toString().equals("model.safetensors") && !p.getFileName().toString().equals("expected.json")) {
                    Files.copy(p, dir.resolve(p.getFileName()));
                }
            }
        }
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(from)) {
            for (String n : c.names()) if (!drop.test(n)) tensors.put(c.storedName(n), c.load(n));
        }
        tensors.putAll(put);
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        return dir;
    }

    private static String refusal(Path dir) {
        return assertThrows(RuntimeException.class, () -> Models.textClassification(dir.toString())).getMessage();
    }

    @Test
    void theUnchangedCopyLoads() throws Exception {
        Path dir = copy("same", n -> false, Map.of());
        assertEquals(List.of("NEGATIVE", "POSITIVE"), Models.textClassification(dir.toString()).labels());
    }

    @Test
    void aSequenceClassifierFolderWithoutClassifierTensorsIsRefused() throws Exception {
        Path dir = copy("noclassifier", n -> n.startsWith("classifier."), Map.of());
        String m = refusal(dir);
        assertTrue(m.contains("has no sequence-classification head (no classifier.* tensors"), m);
        assertTrue(!m.contains("\n"), m);
    }

    @Test
    void aClassifierWithoutThePoolerIsRefusedNamingIt() throws Exception {
        String m = refusal(copy("nopooler", n -> n.startsWith("bert.pooler."), Map.of()));
        assertTrue(m.contains("missing weight 'bert.pooler.dense.weight'"), m);
    }

    @Test
    void aClassifierOfAnotherWidthIsRefusedWithBothShapes() throws Exception {
        String m = refusal(copy("narrow", n -> n.startsWith("classifier."),
                Map.of("classifier.weight", FloatTensor.zeros(2, 16), "classifier.bias", FloatTensor.zeros(2))));
        assertTrue(m.contains("classifier.weight") && m.contains("[2, 16]") && m.contains("[num_labels, 32]"), m);
        m = refusal(copy("bias", n -> n.equals("classifier.bias"), Map.of("classifier.bias", FloatTensor.zeros(3))));
        assertTrue(m.contains("classifier.bias") && m.contains("[3]") && m.contains("[2, 32]"), m);
    }

    @Test
    void moreLabelsInConfigThanTheClassifierGivesIsRefusedWithBothShapes() throws Exception {
        Path dir = copy("threelabels", n -> false, Map.of());
        Path config = dir.resolve("config.json");
        Files.writeString(config, Files.readString(config)
                .replace("\"1\": \"POSITIVE\"", "\"1\": \"POSITIVE\", \"2\": \"MIXED\"")
                .replace("\"POSITIVE\": 1", "\"POSITIVE\": 1, \"MIXED\": 2"));
        String m = refusal(dir);
        assertTrue(m.contains("3 labels") && m.contains("classifier.weight") && m.contains("[2, 32]") && m.contains("[3, 32]"), m);
    }

    @Test
    void label2idThatIsNotTheInverseOfId2labelIsRefused() throws Exception {
        Path dir = copy("swapped", n -> false, Map.of());
        Path config = dir.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"NEGATIVE\": 0", "\"NEGATIVE\": 1").replace("\"POSITIVE\": 1", "\"POSITIVE\": 0"));
        String m = refusal(dir);
        assertTrue(m.contains("\"label2id\" does not match \"id2label\""), m);
    }

    @Test
    void anUnknownProblemTypeIsRefused() throws Exception {
        Path dir = copy("problem", n -> false, Map.of());
        Path config = dir.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"model_type\"", "\"problem_type\": \"ranking\", \"model_type\""));
        String m = refusal(dir);
        assertTrue(m.contains("\"problem_type\": \"ranking\" is not supported"), m);
    }

    @Test
    void aMaskedLmIsNotASequenceClassifier() throws Exception {
        Path mlm = Path.of(TextClassificationErrorsTest.class.getResource("/fixtures/hf-tiny-bert").toURI());
        String m = refusal(mlm);
        assertTrue(m.contains("is a BertForMaskedLM, not a sequence classifier"), m);
    }

    /** Converting would write a config.json without the architecture and the labels: a classifier that no longer classifies. */
    @Test
    void aClassifierIsNotConvertedIntoAFolderThatLosesItsLabels() throws Exception {
        Path out = tmp.resolve("converted");
        String m = assertThrows(IllegalArgumentException.class, () -> Models.convert(TextClassificationFixturesTest.tiny("sentiment").toString(),
                out, false, dev.mlm4j.util.ProgressListener.NONE)).getMessage();
        assertTrue(m.contains("it has a task head (classifier.* tensors)"), m);
        assertTrue(!Files.exists(out) || Files.list(out).findAny().isEmpty(), "nothing half-written");
    }

    @Test
    void functionNamesAreHuggingFaces() {
        assertEquals(TextClassification.Function.SOFTMAX, TextClassification.Function.of("softmax"));
        assertEquals(TextClassification.Function.NONE, TextClassification.Function.of("none"));
        String m = assertThrows(IllegalArgumentException.class, () -> TextClassification.Function.of("relu")).getMessage();
        assertEquals("function 'relu' is not one of softmax, sigmoid, none", m);
    }

    @Test
    void aTextOverThePositionTableIsAnErrorNotATruncatedAnswer() throws Exception {
        TextClassification tc = Models.textClassification(TextClassificationFixturesTest.tiny("sentiment").toString());
        String m = assertThrows(IllegalArgumentException.class,
                () -> tc.classify("word ".repeat(600), TextClassification.Options.DEFAULT)).getMessage();
        assertTrue(m.contains("over the model's maximum of 512"), m);
    }
}
