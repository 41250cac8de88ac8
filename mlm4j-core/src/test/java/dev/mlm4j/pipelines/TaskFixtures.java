package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.util.ProgressListener;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.function.ThrowingConsumer;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The task fixtures of src/test/resources/tasks (made by scripts/reference/tasks/make_fixtures.py; their README says
 * how): {@link #tiny} gives a complete random-initialised checkpoint, {@link #pretrained} assembles a seeded head onto
 * the real encoder with the product's assembler ({@code ./mlm4j convert ENCODER DIR --head HEAD_DIR}), which follows the
 * README and the script's {@code assemble()}: so every pretrained test that matches transformers also proves the
 * assembler. Folders are cached under target/task-models and moved into place when complete (the converter writes a
 * temporary folder), so an interrupted run never leaves half a model.
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

    /** One dynamic test per case of {@code expected}'s "cases", named by its "id"; there must be {@code atLeast} of them. */
    static Stream<DynamicTest> eachCase(JsonNode expected, int atLeast, ThrowingConsumer<JsonNode> check) {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : expected.get("cases")) tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> check.accept(c)));
        assertTrue(tests.size() >= atLeast, tests.size() + " cases");
        return tests.stream();
    }

    /** Every case of {@code expected}'s "cases" checked, the failures reported together under {@code name}; {@code atLeast} of them. */
    static void assertEveryCase(String name, JsonNode expected, int atLeast, ThrowingConsumer<JsonNode> check) {
        List<Executable> cases = new ArrayList<>();
        for (JsonNode c : expected.get("cases")) cases.add(() -> check.accept(c));
        assertTrue(cases.size() >= atLeast, name + " has " + cases.size() + " cases");
        assertAll(name, cases.stream());
    }

    /**
     * The task model folder for pretrained/{@code name}, assembled once (cached in target/task-models) by the product's
     * own assembler, {@code ./mlm4j convert ENCODER DIR --head pretrained/NAME}'s {@link Models#convert(String, Path,
     * boolean, Path, ProgressListener)}, from the encoder folder whose checksum the fixture records.
     */
    public static synchronized Path pretrained(String name) throws Exception {
        Path res = pretrainedFixture(name);
        Path dir = CACHE.resolve(name);
        if (Files.isRegularFile(dir.resolve("config.json"))) return dir;
        JsonNode expected = expected(res);
        Path enc = encoder(expected.get("encoder").asText(), expected.get("encoder_model_safetensors_sha256").asText());
        Models.convert(enc.toString(), dir, false, res, ProgressListener.NONE);
        return dir;
    }

    /** {@code ./mlm4j convert NAME}'s folder, cached, checked against the sha256 the fixture was made from. */
    static Path encoder(String name, String sha256) throws Exception {
        Path dir = CACHE.resolve("encoders").resolve(name);
        if (!Files.isRegularFile(dir.resolve("config.json"))) Models.convert(name, dir, true, ProgressListener.NONE);
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
