package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.util.ProgressListener;
import dev.mlm4j.weights.safetensors.SafetensorsCheckpoint;
import dev.mlm4j.weights.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;
import dev.mlm4j.config.Precision;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pretrained text-classification fixtures (src/test/resources/tasks/pretrained/*-bert-base-uncased: seeded heads
 * on the real bert-base-uncased, outputs of transformers 5.18's text-classification pipeline) assembled as its README
 * says, in Java: {@code Models.convert("bert-base-uncased")}, then the encoder's {@code bert.*} tensors (pooler kept,
 * {@code cls.*} dropped) plus head.safetensors, config.json with config-fragment.json's keys set, the tokenizer files
 * unchanged. The folders are cached under target/task-models. Every case must match.
 */
class TextClassificationPretrainedTest {

    static final Path CACHE = Path.of("target", "task-models");

    static Path encoder(String name, String sha256) throws Exception {
        Path dir = CACHE.resolve("encoders").resolve(name);
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            Path partial = CACHE.resolve("encoders").resolve(name + ".partial");
            if (Files.exists(partial)) deleteTree(partial);
            Models.convert(name, partial, false, ProgressListener.NONE);
            Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
        }
        assertEquals(sha256, sha256(dir.resolve("model.safetensors")),
                "the converter's output for " + name + " is no longer the one the fixture was made from");
        return dir;
    }

    /** The task folder for {@code pretrained/<fixture>}, assembled once. */
    static Path assemble(String fixture) throws Exception {
        Path res = Path.of(TextClassificationPretrainedTest.class.getResource("/tasks/pretrained/" + fixture).toURI());
        JsonNode expected = TextClassificationFixturesTest.JSON.readTree(res.resolve("expected.json").toFile());
        Path dir = CACHE.resolve(fixture);
        if (Files.isRegularFile(dir.resolve("config.json"))) return dir;
        Path enc = encoder(expected.get("encoder").asText(), expected.get("encoder_model_safetensors_sha256").asText());
        Path partial = CACHE.resolve(fixture + ".partial");
        if (Files.exists(partial)) deleteTree(partial);
        Files.createDirectories(partial);
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        try (SafetensorsCheckpoint e = SafetensorsCheckpoint.open(enc)) {
            for (String n : e.names()) {
                String stored = e.storedName(n);
                if (stored.startsWith("bert.embeddings.") || stored.startsWith("bert.encoder.") || stored.startsWith("bert.pooler.")) {
                    tensors.put(stored, e.load(n));
                }
            }
        }
        try (SafetensorsCheckpoint h = SafetensorsCheckpoint.open(res.resolve("head.safetensors"))) {
            for (String n : h.names()) tensors.put(h.storedName(n), h.load(n));
        }
        SafetensorsWriter.write(partial.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        ObjectNode config = (ObjectNode) TextClassificationFixturesTest.JSON.readTree(enc.resolve("config.json").toFile());
        JsonNode fragment = TextClassificationFixturesTest.JSON.readTree(res.resolve("config-fragment.json").toFile());
        fragment.fields().forEachRemaining(f -> config.set(f.getKey(), f.getValue()));
        TextClassificationFixturesTest.JSON.writerWithDefaultPrettyPrinter().writeValue(partial.resolve("config.json").toFile(), config);
        try (var s = Files.list(enc)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String f = p.getFileName().toString();
                if (f.startsWith("vocab") || f.startsWith("tokenizer") || f.equals("special_tokens_map.json")) Files.copy(p, partial.resolve(f));
            }
        }
        Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
        return dir;
    }

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
                Path dir = assemble(fixture);
                Path res = Path.of(TextClassificationPretrainedTest.class.getResource("/tasks/pretrained/" + fixture).toURI());
                JsonNode expected = TextClassificationFixturesTest.JSON.readTree(res.resolve("expected.json").toFile());
                assertEquals("text-classification", expected.get("task").asText());
                TextClassification tc = TextClassification.load(dir, fixture, Precision.FP32);
                List<Executable> cases = new ArrayList<>();
                for (JsonNode c : expected.get("cases")) cases.add(() -> TextClassificationFixturesTest.check(tc, c));
                assertTrue(cases.size() >= 100, fixture + " has " + cases.size() + " cases");
                assertAll(fixture, cases.stream());
            }));
        }
        return tests.stream();
    }

    static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static void deleteTree(Path p) throws Exception {
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(x);
        }
    }
}
