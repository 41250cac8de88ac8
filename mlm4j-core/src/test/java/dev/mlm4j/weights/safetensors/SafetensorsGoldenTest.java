package dev.mlm4j.weights.safetensors;

import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.DType;
import dev.mlm4j.weights.WeightException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Independent goldens: a file whose every byte is written by hand from the published format (F16 and
 * BF16 as IEEE bit patterns worked out by hand), read by the reader; and the writer's output compared
 * byte for byte with a hand-written expectation.
 */
class SafetensorsGoldenTest {
    @TempDir
    Path dir;

    /** Keys deliberately not in data order; dtypes mlm4j widens, lists only, and cannot name. */
    private static final String HEADER = "{\"__metadata__\":{\"format\":\"pt\",\"source\":\"hand\"},"
            + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[14,22]},"
            + "\"embeddings.LayerNorm.gamma\":{\"dtype\":\"F16\",\"shape\":[7],\"data_offsets\":[0,14]},"
            + "\"scalar\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[48,52]},"
            + "\"ids\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[22,46]},"
            + "\"u\":{\"dtype\":\"U16\",\"shape\":[1],\"data_offsets\":[46,48]},"
            + "\"empty\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[52,52]}}";

    private Path handMadeFile() {
        byte[] data = HandMade.concat(
                // F16: 1.0, -2.5, 65504 (largest finite), 2^-24 (smallest subnormal), -0.0, +inf, 0.333251953125
                HandMade.u16(0x3C00, 0xC100, 0x7BFF, 0x0001, 0x8000, 0x7C00, 0x3555),
                // BF16: 3.140625, -1.0, -0.5, 2^-133 (smallest subnormal)
                HandMade.u16(0x4049, 0xBF80, 0xBF00, 0x0001),
                HandMade.i64(101, 102, -1),
                HandMade.u16(0xFFFF),
                HandMade.f32(42.0f));
        return HandMade.write(dir.resolve("hand.safetensors"), HandMade.file(HEADER + "  ", data));
    }

    @Test
    void handMadeFileReadsAsThePublishedFormatSays() {
        try (SafetensorsCheckpoint st = SafetensorsCheckpoint.open(handMadeFile())) {
            assertEquals(Set.of("bert.embeddings.LayerNorm.weight", "bf", "scalar", "ids", "empty"), st.names());
            assertEquals(Map.of("format", "pt", "source", "hand"), st.metadata());
            assertEquals("embeddings.LayerNorm.gamma", st.storedName("bert.embeddings.LayerNorm.weight"));

            assertEquals(DType.F16, st.info("bert.embeddings.LayerNorm.weight").dtype());
            assertBits(new float[] {1.0f, -2.5f, 65504f, 0x1p-24f, -0.0f, Float.POSITIVE_INFINITY, 0.333251953125f},
                    st.load("bert.embeddings.LayerNorm.weight"));
            FloatTensor bf = st.load("bf");
            assertArrayEquals(new int[] {2, 2}, bf.shape());
            assertBits(new float[] {3.140625f, -1.0f, -0.5f, 0x1p-133f}, bf);
            FloatTensor scalar = st.load("scalar");
            assertEquals(0, scalar.rank());
            assertBits(new float[] {42.0f}, scalar);
            assertArrayEquals(new int[] {0, 3}, st.load("empty").shape());

            assertEquals(DType.I64, st.info("ids").dtype());
            WeightException ids = assertThrows(WeightException.class, () -> st.load("ids"));
            assertTrue(ids.getMessage().contains("tensor 'ids'") && ids.getMessage().contains("is I64"), ids.getMessage());
            assertNull(st.info("u"));
            WeightException u = assertThrows(WeightException.class, () -> st.load("u"));
            assertTrue(u.getMessage().contains("is U16, a type mlm4j does not read"), u.getMessage());
        }
    }

    @Test
    void writerOutputIsByteForByteTheFormat() throws IOException {
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        tensors.put("b", FloatTensor.of(new float[][] {{1, 2}, {3, 4}}));
        tensors.put("a", FloatTensor.wrap(new float[] {0.5f}, 1));
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of());

        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[4,20]}}";
        String padded = json + " ".repeat((8 - json.length() % 8) % 8);
        byte[] expected = HandMade.file(padded, HandMade.f32(0.5f, 1, 2, 3, 4));
        assertArrayEquals(expected, Files.readAllBytes(file));
        assertEquals(0, (8 + padded.length()) % 8, "data section 8-byte aligned");
    }

    static void assertBits(float[] expected, FloatTensor actual) {
        float[] a = actual.toArray();
        assertEquals(expected.length, a.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(a[i]),
                    "element " + i + ": expected " + expected[i] + ", got " + a[i]);
        }
    }
}
