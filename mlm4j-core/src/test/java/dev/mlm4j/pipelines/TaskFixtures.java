package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.util.ProgressListener;
import dev.mlm4j.weights.safetensors.SafetensorsCheckpoint;
import dev.mlm4j.weights.safetensors.SafetensorsWriter;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The task fixtures of src/test/resources/tasks (made by scripts/reference/tasks/make_fixtures.py; their README says
 * how): {@link #tiny} gives a complete random-initialised checkpoint, {@link #pretrained} assembles a seeded head onto
 * the real encoder exactly as the README and the script's {@code assemble()} do: {@code Models.convert(encoder)}, its
 * {@code bert.embeddings.*}/{@code bert.encoder.*} tensors, {@code bert.pooler.*} only for
 * {@code BertForSequenceClassification} (transformers builds the token-classification and QA models without a pooler),
 * no {@code cls.*}; then every tensor of head.safetensors (added or replacing); config.json with each key of
 * config-fragment.json set; the tokenizer files unchanged. Folders are cached under target/task-models, built into a
 * {@code .partial} folder and moved into place, so an interrupted run never leaves half a model.
 */
public final class TaskFixtures {
    private TaskFixtures() {}

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path CACHE = Path.of("target", "task-models");

    /** src/test/resources/tasks/tiny/{@code name}: a whole checkpoint folder with its expected.json. */
    public static Path tiny(String name) {
        return resource("/tasks/tiny/" + name);
    }

    /** The folder of src/test/resources/tasks/pretrained/{@code name} (head.safetensors, config-fragment.json, expected.json). */
    public static Path pretrainedFixture(String name) {
        return resource("/tasks/pretrained/" + name);
    }

    /** A fixture folder's expected.json. */
    public static JsonNode expected(Path fixtureFolder) {
        try {
            return JSON.readTree(fixtureFolder.resolve("expected.json").toFile());
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + fixtureFolder.resolve("expected.json"), e);
        }
    }

    /** The task model folder for pretrained/{@code name}, assembled once (cached in target/task-models). */
    public static synchronized Path pretrained(String name) throws Exception {
        Path res = pretrainedFixture(name);
        Path dir = CACHE.resolve(name);
        if (Files.isRegularFile(dir.resolve("config.json"))) return dir;
        JsonNode expected = expected(res);
        Path enc = encoder(expected.get("encoder").asText(), expected.get("encoder_model_safetensors_sha256").asText());
        JsonNode fragment = JSON.readTree(res.resolve("config-fragment.json").toFile());
        boolean pooler = fragment.path("architectures").path(0).asText().endsWith("ForSequenceClassification");
        Path partial = CACHE.resolve(name + ".partial");
        if (Files.exists(partial)) deleteTree(partial);
        Files.createDirectories(partial);
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        try (SafetensorsCheckpoint e = SafetensorsCheckpoint.open(enc)) {
            for (String n : e.names()) {
                String stored = e.storedName(n);
                if (stored.startsWith("bert.embeddings.") || stored.startsWith("bert.encoder.")
                        || (pooler && stored.startsWith("bert.pooler."))) {
                    tensors.put(stored, e.load(n));
                }
            }
        }
        try (SafetensorsCheckpoint h = SafetensorsCheckpoint.open(res.resolve("head.safetensors"))) {
            for (String n : h.names()) tensors.put(h.storedName(n), h.load(n));
        }
        SafetensorsWriter.write(partial.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        tensors.clear();
        ObjectNode config = (ObjectNode) JSON.readTree(enc.resolve("config.json").toFile());
        fragment.fields().forEachRemaining(f -> config.set(f.getKey(), f.getValue()));
        JSON.writerWithDefaultPrettyPrinter().writeValue(partial.resolve("config.json").toFile(), config);
        try (var s = Files.list(enc)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String f = p.getFileName().toString();
                if (f.startsWith("vocab") || f.startsWith("tokenizer") || f.equals("special_tokens_map.json")) Files.copy(p, partial.resolve(f));
            }
        }
        Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
        return dir;
    }

    /** {@code ./mlm4j convert NAME}'s folder, cached, checked against the sha256 the fixture was made from. */
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

    private static Path resource(String name) {
        var url = TaskFixtures.class.getResource(name);
        if (url == null) throw new IllegalStateException("no test resource " + name);
        try {
            return Path.of(url.toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
