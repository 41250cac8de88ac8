package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;

import static dev.mlm4j.kernels.GemmTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Weights read from the packed cache's file with mapping on are used where they are mapped ({@link PackedMatrix#mapped()}), through
 * {@link MappedKernels}: every output must be bit for bit what the same weights packed into the heap give — every
 * register tile (1 to 13 rows), the zero-padded last panel, several k blocks, the blocked path with 512-bit vectors,
 * one and two threads, every epilogue — and the scalar reference reads a mapped matrix too.
 */
class MappedGemmTest {

    /** (n, in, out): every tile height and its tails; k over one block; an edge panel; enough rows for the blocked path. */
    private static final int[][] SHAPES = {{1, 768, 100}, {2, 40, 70}, {3, 1536, 64}, {5, 100, 33}, {7, 17, 200}, {11, 300, 96},
            {12, 64, 64}, {13, 2100, 90}, {29, 384, 1536}, {150, 700, 1100}};

    @Test
    void mappedWeightsGiveTheBitsOfHeapOnes(@TempDir Path dir) {
        Random r = new Random(21);
        FloatTensor[] w = new FloatTensor[SHAPES.length];
        PackedMatrix[] heap = new PackedMatrix[SHAPES.length];
        for (int i = 0; i < SHAPES.length; i++) {
            w[i] = random(r, SHAPES[i][2], SHAPES[i][1]);
            heap[i] = PackedMatrix.pack(w[i]);
        }
        Path file = dir.resolve("packed.bin");
        PackedCache writer = PackedCache.open(file, "fp");
        for (int i = 0; i < SHAPES.length; i++) {
            int k = i;
            assertNull(writer.get("w" + i, SHAPES[i][1], SHAPES[i][2], () -> heap[k]).mapped(), "packed afresh: on the heap");
        }
        writer.save();

        PackedCache reader = PackedCache.open(file, "fp", true);
        for (int i = 0; i < SHAPES.length; i++) {
            int n = SHAPES[i][0], in = SHAPES[i][1], out = SHAPES[i][2];
            String key = "w" + i;
            PackedMatrix mapped = reader.get(key, in, out, () -> fail("the cache holds " + key));
            assertNotNull(mapped.mapped(), "read from the file: used where it is mapped");
            assertNull(mapped.data());
            assertEquals(heap[i].weight(out - 1, in - 1), mapped.weight(out - 1, in - 1));
            assertArrayEquals(w[i].toArray(), mapped.unpacked().toArray(), "the mapped weight unpacked, " + key);
            FloatTensor x = random(r, n, in), bias = random(r, out), res = random(r, n, out);
            String shape = n + "×" + in + "×" + out;
            for (Epilogue e : Epilogue.values()) {
                FloatTensor b = e == Epilogue.NONE ? null : bias, rr = e.residual() ? res : null;
                for (int threads : new int[] {1, 2}) {
                    FloatTensor want = FloatTensor.zeros(n, out), got = FloatTensor.zeros(n, out);
                    Gemm.linear(x, heap[i], b, e, rr, want, threads);
                    Gemm.linear(x, mapped, b, e, rr, got, threads);
                    assertArrayEquals(want.data(), got.data(), "mapped vs heap, " + e + " at " + shape + ", " + threads + " thread(s)");
                }
                FloatTensor scalar = FloatTensor.zeros(n, out), vector = FloatTensor.zeros(n, out);
                new ScalarKernels().linear(x, mapped, b, e, rr, scalar);
                Gemm.linear(x, mapped, b, e, rr, vector);
                assertArrayEquals(scalar.data(), vector.data(), "the scalar reference on the mapped weight, " + e + " at " + shape);
            }
        }
        assertEquals(SHAPES.length, reader.hits());
    }

    @Test
    void aCacheThatKeepsMappedMatricesRewritesThemWithTheNewOnes(@TempDir Path dir) {
        // one matrix in the file, a second asked for later: the rewrite copies the mapped one out of the old file
        Random r = new Random(22);
        FloatTensor w0 = random(r, 70, 33), w1 = random(r, 40, 50);
        Path file = dir.resolve("packed.bin");
        PackedCache first = PackedCache.open(file, "fp");
        first.get("a", 33, 70, () -> PackedMatrix.pack(w0));
        first.save();
        PackedCache second = PackedCache.open(file, "fp", true);
        PackedMatrix a = second.get("a", 33, 70, () -> fail("cached"));
        assertNotNull(a.mapped());
        second.get("b", 50, 40, () -> PackedMatrix.pack(w1));
        second.save();
        PackedCache third = PackedCache.open(file, "fp");
        assertArrayEquals(PackedMatrix.pack(w0).toArray(), third.get("a", 33, 70, () -> fail("cached")).toArray());
        assertArrayEquals(PackedMatrix.pack(w1).toArray(), third.get("b", 50, 40, () -> fail("cached")).toArray());
        assertArrayEquals(PackedMatrix.pack(w0).toArray(), a.toArray(), "the first mapping still reads the file it mapped");
    }
}
