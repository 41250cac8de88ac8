package dev.mlm4j.weights.safetensors;

import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.DType;
import dev.mlm4j.weights.WeightException;
import dev.mlm4j.weights.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Writer → reader: bit-identical floats, canonical names, metadata, folders, and the atomic write. */
class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    private static final float[] SPECIAL = {0f, -0f, Float.MIN_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x7fc00001), Float.intBitsToFloat(0xff800123), 1e-40f, 3.14159265f};

    private static FloatTensor random(Random r, int... shape) {
        FloatTensor t = FloatTensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = r.nextInt(5) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) r.nextGaussian();
        return t;
    }

    private Map<String, FloatTensor> sample() {
        Random r = new Random(7);
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        m.put("embeddings.word_embeddings.weight", random(r, 50, 16));              // bare BertModel name
        m.put("encoder.layer.0.attention.self.query.weight", random(r, 16, 16));
        m.put("encoder.layer.0.attention.self.query.bias", random(r, 16));
        m.put("cls.predictions.bias", random(r, 50));                                // a head keeps its name
        m.put("scalar", FloatTensor.wrap(new float[] {SPECIAL[6]}));                 // rank 0
        m.put("empty", FloatTensor.zeros(0, 4));                                     // zero elements
        m.put("cube", random(r, 3, 5, 7));
        m.put("view", random(r, 6, 9).columns(2, 4));                                // a non-contiguous view
        return m;
    }

    private static String canonical(String name) {
        return name.startsWith("embeddings.") || name.startsWith("encoder.") ? "bert." + name : name;
    }

    private static void assertSameTensors(Map<String, FloatTensor> written, SafetensorsCheckpoint st) {
        assertEquals(written.keySet().stream().map(SafetensorsRoundTripTest::canonical).collect(java.util.stream.Collectors.toSet()), st.names());
        for (var e : written.entrySet()) {
            String name = canonical(e.getKey());
            assertEquals(DType.F32, st.info(name).dtype(), name);
            FloatTensor back = st.load(name);
            assertArrayEquals(e.getValue().shape(), back.shape(), name);
            float[] a = e.getValue().toArray(), b = back.toArray();
            for (int i = 0; i < a.length; i++) {
                if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                    throw new AssertionError(name + "[" + i + "]: wrote bits " + Integer.toHexString(Float.floatToRawIntBits(a[i]))
                            + ", read " + Integer.toHexString(Float.floatToRawIntBits(b[i])));
                }
            }
        }
    }

    @Test
    void roundTripIsBitIdenticalUnderCanonicalNames() {
        Map<String, FloatTensor> tensors = sample();
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of("producer", "mlm4j"));
        try (SafetensorsCheckpoint st = SafetensorsCheckpoint.open(file)) {
            assertSameTensors(tensors, st);
            assertEquals(Map.of("format", "pt", "producer", "mlm4j"), st.metadata());
            assertEquals("embeddings.word_embeddings.weight", st.storedName("bert.embeddings.word_embeddings.weight"));
            // the scoped loader the model uses finds it by its canonical name, and refuses the NaN/infinities planted in it
            Weights query = new Weights(st).prefix("bert").prefix("encoder").prefix("layer", 0).prefix("attention")
                    .prefix("self").prefix("query");
            assertTrue(query.has("weight"));
            String m = org.junit.jupiter.api.Assertions.assertThrows(dev.mlm4j.weights.WeightException.class,
                    () -> query.tensor("weight", 16, 16)).getMessage();
            assertTrue(m.contains("bert.encoder.layer.0.attention.self.query.weight"), m);
        }
        assertEquals(List.of("model.safetensors"), listing(dir), "no temporary file left behind");
    }

    @Test
    void headerIsAlignedPaddedWithSpacesAndTensorsAreInNameOrder() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, sample(), Map.of());
        byte[] bytes = Files.readAllBytes(file);
        long n = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + n) % 8);
        String header = new String(bytes, 8, (int) n, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\"}"), header);
        assertTrue(header.stripTrailing().endsWith("}") && header.substring(header.stripTrailing().length()).isBlank());
        try (SafetensorsCheckpoint st = SafetensorsCheckpoint.open(file)) {
            List<String> stored = st.names().stream().map(st::storedName).sorted().toList();
            int last = -1;
            for (String s : stored) {
                int at = header.indexOf("\"" + s + "\":");
                assertTrue(at > last, "tensors in name order: " + s);
                last = at;
            }
        }
    }

    @Test
    void folderWithOneFileOrShardsReadsBack() {
        Map<String, FloatTensor> tensors = sample();
        Path one = SafetensorsWriter.writeFolder(dir.resolve("one"), tensors, Map.of(), 1L << 30);
        assertEquals(dir.resolve("one").resolve("model.safetensors"), one);
        try (SafetensorsCheckpoint st = SafetensorsCheckpoint.open(dir.resolve("one"))) {
            assertSameTensors(tensors, st);
        }
        Path index = SafetensorsWriter.writeFolder(dir.resolve("sharded"), tensors, Map.of(), 1200);
        assertEquals("model.safetensors.index.json", index.getFileName().toString());
        List<String> files = listing(dir.resolve("sharded"));
        assertTrue(files.size() > 3 && files.contains("model-00001-of-0000" + (files.size() - 1) + ".safetensors"), files.toString());
        try (SafetensorsCheckpoint st = SafetensorsCheckpoint.open(dir.resolve("sharded"))) {
            assertSameTensors(tensors, st);
            assertEquals(String.valueOf(4L * tensors.values().stream().mapToLong(FloatTensor::size).sum()), st.metadata().get("total_size"));
        }
        try (SafetensorsCheckpoint st = SafetensorsCheckpoint.open(index)) {
            assertSameTensors(tensors, st);
        }
    }

    @Test
    void legacyGammaBetaAndPrefixedNamesAreCanonical() {
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        m.put("bert.embeddings.LayerNorm.gamma", FloatTensor.wrap(new float[] {1, 2}, 2));
        m.put("bert.embeddings.LayerNorm.beta", FloatTensor.wrap(new float[] {3, 4}, 2));
        m.put("cls.predictions.transform.LayerNorm.gamma", FloatTensor.wrap(new float[] {5}, 1));
        Path file = dir.resolve("legacy.safetensors");
        SafetensorsWriter.write(file, m, Map.of());
        try (SafetensorsCheckpoint st = SafetensorsCheckpoint.open(file)) {
            assertEquals(java.util.Set.of("bert.embeddings.LayerNorm.weight", "bert.embeddings.LayerNorm.bias",
                    "cls.predictions.transform.LayerNorm.weight"), st.names());
            assertArrayEquals(new float[] {3, 4}, st.load("bert.embeddings.LayerNorm.bias").toArray());
        }
    }

    @Test
    void namesThatCollideAfterNormalisationAreRefused() {
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        m.put("embeddings.LayerNorm.weight", FloatTensor.zeros(2));
        m.put("bert.embeddings.LayerNorm.weight", FloatTensor.zeros(2));
        Path file = dir.resolve("both.safetensors");
        SafetensorsWriter.write(file, m, Map.of());
        WeightException e = assertThrows(WeightException.class, () -> SafetensorsCheckpoint.open(file).close());
        assertTrue(e.getMessage().contains("are both 'bert.embeddings.LayerNorm.weight'"), e.getMessage());
    }

    @Test
    void failedWriteLeavesTheOldFileAndNoTemporary() throws IOException {
        Path target = dir.resolve("model.safetensors");
        SafetensorsWriter.write(target, Map.of("a", FloatTensor.wrap(new float[] {1}, 1)), Map.of());
        byte[] before = Files.readAllBytes(target);
        // a target that cannot be replaced: the rename fails after the data was written
        Path blocked = Files.createDirectories(dir.resolve("blocked.safetensors"));
        Files.writeString(blocked.resolve("keep"), "x");
        assertThrows(UncheckedIOException.class, () -> SafetensorsWriter.write(blocked, sample(), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(target, Map.of("__metadata__", FloatTensor.zeros(1)), Map.of()));
        assertArrayEquals(before, Files.readAllBytes(target));
        assertEquals(List.of("blocked.safetensors", "model.safetensors"), listing(dir), "no temporary file left behind");
    }

    @Test
    void folderWithoutWeightsSaysWhatItHolds() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("model"));
        Files.writeString(empty.resolve("config.json"), "{}");
        WeightException e = assertThrows(WeightException.class, () -> SafetensorsCheckpoint.open(empty));
        assertTrue(e.getMessage().contains("no model.safetensors or model.safetensors.index.json in") && e.getMessage().contains("config.json"), e.getMessage());
    }

    @Test
    void closedCheckpointRefusesToLoad() {
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, Map.of("a", FloatTensor.zeros(3)), Map.of());
        SafetensorsCheckpoint st = SafetensorsCheckpoint.open(file);
        st.close();
        assertThrows(WeightException.class, () -> st.load("a"));
    }

    static List<String> listing(Path d) {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
