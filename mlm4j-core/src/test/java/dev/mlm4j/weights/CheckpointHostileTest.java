package dev.mlm4j.weights;

import dev.mlm4j.convert.Converter;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.model.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed model folders opened the way users open them ({@link Checkpoint#open}): each is one clear line naming the
 * file, of a type the CLI reports as a plain error (never an OutOfMemoryError, never a model that computes garbage).
 * The folders start from a real converted all-MiniLM-L6-v2 and have one thing broken.
 */
class CheckpointHostileTest {
    @TempDir static Path tmp;
    static Path good;

    @BeforeAll
    static void convert() {
        good = tmp.resolve("good");
        Converter.convert(TestModels.folder("all-MiniLM-L6-v2"), good, false);
    }

    private static Path variant(String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        try (var s = Files.list(good)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) Files.copy(p, dir.resolve(p.getFileName()));
        }
        return dir;
    }

    private static String failure(Path folder) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> Checkpoint.open(folder).close());
        assertTrue(e instanceof IllegalArgumentException || e instanceof IllegalStateException || e instanceof UncheckedIOException,
                "a plain error the CLI reports in one line, not " + e);
        String m = e.getMessage();
        assertFalse(m.contains("\n"), "one line: " + m);
        return m;
    }

    /** The one-line failure of the good folder with its model.safetensors replaced by {@code weights}. */
    private static String failureWithWeights(String variant, byte[] weights) throws IOException {
        return failureWith(variant, "model.safetensors", weights);
    }

    /** The one-line failure of the good folder with its config.json replaced by {@code json}. */
    private static String failureWithConfig(String variant, String json) throws IOException {
        return failureWith(variant, "config.json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static String failureWith(String variant, String file, byte[] content) throws IOException {
        Path dir = variant(variant);
        Files.write(dir.resolve(file), content);
        return failure(dir);
    }

    private static void assertContains(String message, String... expected) {
        for (String x : expected) assertTrue(message.contains(x), "expected '" + x + "' in: " + message);
    }

    private static byte[] safetensors(long declaredHeaderLength, String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredHeaderLength).put(h);
        return b.array();
    }

    @Test
    void theGoodFolderOpens() {
        try (Checkpoint c = Checkpoint.open(good)) {
            assertTrue(c.format().equals("safetensors") && c.config().numHiddenLayers() == 6);
        }
    }

    @Test
    void configWhoseSizesDisagreeWithTheWeights() throws IOException {
        String config = Files.readString(good.resolve("config.json"));
        assertContains(failureWithConfig("layers", config.replace("\"num_hidden_layers\" : 6", "\"num_hidden_layers\" : 5")),
                "config.json says num_hidden_layers = 5 but the weights in", "have 6");
        assertContains(failureWithConfig("hidden", config.replace("\"hidden_size\" : 384", "\"hidden_size\" : 768")),
                "config.json says hidden_size = 768 but the weights in", "have 384");
        assertContains(failureWithConfig("intermediate", config.replace("\"intermediate_size\" : 1536", "\"intermediate_size\" : 3072")),
                "config.json says intermediate_size = 3072", "have 1536");
        assertContains(failureWithConfig("heads", config.replace("\"num_attention_heads\" : 12", "\"num_attention_heads\" : 7")),
                "config.json", "hidden_size 384 is not a multiple of num_attention_heads 7");
        assertContains(failureWithConfig("garbage", "{\"hidden_size\": "), "unreadable", "config.json");
    }

    @Test
    void safetensorsHeaderClaimingATerabyte() throws IOException {
        assertContains(failureWithWeights("terabyte", safetensors(1_000_000_000_000L, "{}", 0)),
                "model.safetensors", "declares a header of 1000000000000 bytes");
    }

    @Test
    void safetensorsTensorClaimingATerabyteOfData() throws IOException {
        assertContains(failureWithWeights("bigtensor",
                safetensors(82, "{\"t\":{\"dtype\":\"F32\",\"shape\":[500000,500000],\"data_offsets\":[0,1000000000000]}}    ", 16)),
                "model.safetensors", "'t'");
    }

    @Test
    void safetensorsOverlappingOffsets() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertContains(failureWithWeights("overlap", safetensors(h.length(), h, 12)), "model.safetensors", "tensors 'a' [0, 8) and 'b' [4, 12) overlap");
    }

    @Test
    void safetensorsOffsetsOutsideTheFile() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
        assertContains(failureWithWeights("outside", safetensors(h.length(), h, 10)), "model.safetensors", "lie past the end of the data section (10 bytes");
    }

    @Test
    void safetensorsFileCutShort() throws IOException {
        byte[] all = Files.readAllBytes(good.resolve("model.safetensors"));
        assertContains(failureWithWeights("cut", Arrays.copyOf(all, all.length / 2)), "model.safetensors");
    }

    @Test
    void truncatedOnnxFile() throws IOException {
        Path source = TestModels.folder("all-MiniLM-L6-v2");
        byte[] all = Files.readAllBytes(source.resolve("model.onnx"));
        for (int cut : new int[] {1000, all.length / 3, all.length - 100}) {
            Path dir = Files.createDirectories(tmp.resolve("onnx-" + cut));
            Files.write(dir.resolve("model.onnx"), Arrays.copyOf(all, cut));
            Files.copy(source.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
            assertContains(failure(dir), "model.onnx");
        }
    }
}
