package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlm4j.config.Precision;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.util.ProgressListener;
import dev.mlm4j.weights.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    static void assemble(@TempDir Path tmp) throws Exception {
        Path fixture = Path.of(TokenClassificationPretrainedTest.class.getResource("/tasks/pretrained/ner-bert-base-cased").toURI());
        expected = JSON.readTree(fixture.resolve("expected.json").toFile());
        Path encoder = Models.convert("bert-base-cased", tmp.resolve("encoder"), false, ProgressListener.NONE).folder();
        assertEquals(expected.get("encoder_model_safetensors_sha256").asText(), sha256(encoder.resolve("model.safetensors")),
                "the converter's bert-base-cased is not the one the fixture was made from");
        Path folder = Files.createDirectories(tmp.resolve("ner"));
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        try (Checkpoint c = Checkpoint.open(encoder)) {
            for (String n : c.tensors().names()) {
                if (n.startsWith("bert.embeddings.") || n.startsWith("bert.encoder.")) tensors.put(n, c.tensors().load(n));
            }
        }
        try (var head = dev.mlm4j.weights.safetensors.SafetensorsCheckpoint.open(fixture.resolve("head.safetensors"))) {
            for (String n : head.names()) tensors.put(n, head.load(n));
        }
        SafetensorsWriter.write(folder.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        tensors.clear();
        ObjectNode config = (ObjectNode) JSON.readTree(encoder.resolve("config.json").toFile());
        JSON.readTree(fixture.resolve("config-fragment.json").toFile()).fields().forEachRemaining(e -> config.set(e.getKey(), e.getValue()));
        JSON.writeValue(folder.resolve("config.json").toFile(), config);
        try (var files = Files.list(encoder)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (Files.isRegularFile(f) && !name.equals("config.json") && !name.startsWith("model.safetensors")) {
                    Files.copy(f, folder.resolve(name));
                }
            }
        }
        ner = Models.tokenClassification(folder.toString(), ProgressListener.NONE, Precision.FP32);
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @TestFactory
    Stream<DynamicTest> bertBaseCasedNerMatchesTransformers() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : expected.get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> TokenClassificationTest.check(ner, c)));
        }
        return tests.stream();
    }
}
