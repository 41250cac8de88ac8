package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The packed-weight cache file: what it gives back is bit for bit what packing gives, and anything wrong with the file
 * (another source, a flipped bit, a truncation, garbage) makes it pack afresh and rewrite the file — never a wrong
 * matrix, never an exception.
 */
class PackedCacheTest {
    private static final Supplier<PackedMatrix> MUST_NOT_PACK = () -> fail("packed although the cache holds the matrix");

    /** (out, in) shapes: one a whole number of panels, one with a zero-padded last panel, one narrower than a panel. */
    private static final int[][] SHAPES = {{4 * PackedMatrix.NR, 24}, {2 * PackedMatrix.NR + 5, 17}, {3, 9}};

    private static FloatTensor weight(int out, int in, long seed) {
        Random r = new Random(seed);
        FloatTensor w = FloatTensor.zeros(out, in);
        for (int i = 0; i < w.size(); i++) w.data()[i] = (float) r.nextGaussian();
        w.data()[0] = -0.0f; // a sign a lossy copy would lose
        return w;
    }

    private static PackedMatrix fresh(int i) {
        return PackedMatrix.pack(weight(SHAPES[i][0], SHAPES[i][1], i));
    }

    /** Asks the cache for every shape; returns how many it had to pack. */
    private static int load(Path file, String fingerprint, boolean save) {
        PackedCache cache = PackedCache.open(file, fingerprint);
        for (int i = 0; i < SHAPES.length; i++) {
            int k = i;
            PackedMatrix m = cache.get("layer." + i + ".weight", SHAPES[i][1], SHAPES[i][0], () -> fresh(k));
            assertBitwiseEqual(fresh(i), m);
        }
        if (save) cache.save();
        return cache.misses();
    }

    private static void assertBitwiseEqual(PackedMatrix expected, PackedMatrix actual) {
        assertEquals(expected.in(), actual.in());
        assertEquals(expected.out(), actual.out());
        float[] ed = expected.toArray(), ad = actual.toArray();
        int[] e = new int[ed.length], a = new int[ad.length];
        for (int i = 0; i < e.length; i++) e[i] = Float.floatToRawIntBits(ed[i]);
        for (int i = 0; i < a.length; i++) a[i] = Float.floatToRawIntBits(ad[i]);
        assertArrayEquals(e, a);
    }

    @Test
    void roundTripIsBitwiseThePackedMatrix(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("packed.bin");
        assertEquals(SHAPES.length, load(file, "model v1", true));
        assertTrue(Files.isRegularFile(file));
        PackedCache cache = PackedCache.open(file, "model v1");
        for (int i = 0; i < SHAPES.length; i++) {
            assertBitwiseEqual(fresh(i), cache.get("layer." + i + ".weight", SHAPES[i][1], SHAPES[i][0], MUST_NOT_PACK));
        }
        assertEquals(SHAPES.length, cache.hits());
        assertEquals(0, cache.misses());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left beside the cache");
        }
    }

    @Test
    void withoutMappingTheMatricesAreCopiedIntoTheHeap(@TempDir Path dir) {
        Path file = dir.resolve("packed.bin");
        load(file, "fp", true);
        PackedCache copying = PackedCache.open(file, "fp", false), mapping = PackedCache.open(file, "fp", true);
        for (int i = 0; i < SHAPES.length; i++) {
            PackedMatrix copied = copying.get("layer." + i + ".weight", SHAPES[i][1], SHAPES[i][0], MUST_NOT_PACK);
            PackedMatrix mapped = mapping.get("layer." + i + ".weight", SHAPES[i][1], SHAPES[i][0], MUST_NOT_PACK);
            assertTrue(copied.data() != null && copied.mapped() == null, "copied: " + copied);
            assertTrue(mapped.data() == null && mapped.mapped() != null, "mapped: " + mapped);
            assertBitwiseEqual(fresh(i), copied);
            assertBitwiseEqual(fresh(i), mapped);
        }
    }

    @Test
    void anotherSourceFingerprintPacksAfreshAndRewrites(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("packed.bin");
        load(file, "model.safetensors 1000 1", true);
        byte[] before = Files.readAllBytes(file);
        assertEquals(SHAPES.length, load(file, "model.safetensors 1000 2", true), "a changed source must not be read from the cache");
        assertFalse(java.util.Arrays.equals(before, Files.readAllBytes(file)), "rewritten for the new source");
        assertEquals(0, load(file, "model.safetensors 1000 2", false));
    }

    @Test
    void aShapeOtherThanTheCachedOnePacksAfresh(@TempDir Path dir) {
        Path file = dir.resolve("packed.bin");
        load(file, "fp", true);
        PackedCache cache = PackedCache.open(file, "fp");
        PackedMatrix m = cache.get("layer.0.weight", SHAPES[0][1], SHAPES[0][0] - 1, () -> PackedMatrix.pack(weight(SHAPES[0][0] - 1, SHAPES[0][1], 7)));
        assertEquals(SHAPES[0][0] - 1, m.out());
        assertEquals(1, cache.misses());
    }

    @Test
    void aFlippedBitIsCaughtByTheChecksumAndRewritten(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("packed.bin");
        load(file, "fp", true);
        long size = Files.size(file);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(size - 5); // inside the last matrix's floats
            int b = f.read();
            f.seek(size - 5);
            f.write(b ^ 0x10);
        }
        assertEquals(1, load(file, "fp", true), "the damaged matrix is packed afresh (and still equals the fresh one)");
        assertEquals(0, load(file, "fp", false), "the file was rewritten whole");
    }

    @Test
    void aTruncatedFileIsIgnoredAndRewritten(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("packed.bin");
        load(file, "fp", true);
        for (long keep : new long[] {Files.size(file) / 2, 30, 5, 0}) {
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.setLength(keep);
            }
            assertTrue(load(file, "fp", true) > 0, "truncated to " + keep + " bytes");
            assertEquals(0, load(file, "fp", false), "rewritten after truncation to " + keep);
        }
    }

    @Test
    void garbageIsIgnoredAndAnUnwritableFolderIsHarmless(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("packed.bin");
        byte[] junk = new byte[4096];
        new Random(3).nextBytes(junk);
        Files.write(file, junk);
        assertEquals(SHAPES.length, load(file, "fp", true));
        assertEquals(0, load(file, "fp", false));
        Path nowhere = dir.resolve("missing-folder").resolve("packed.bin");
        assertEquals(SHAPES.length, load(nowhere, "fp", true), "cannot be written: packs every time, no exception");
        assertFalse(Files.exists(nowhere));
    }

    @Test
    @Timeout(60) // a copy claimed and never completed would hang the load
    void theHelperThreadAndTheLoadShareTheCopiesInAnyOrder(@TempDir Path dir) {
        // enough matrices that the helper (from the file's end) and the load (from its start) meet in the middle
        int n = 24;
        Path file = dir.resolve("packed.bin");
        PackedCache writer = PackedCache.open(file, "fp");
        for (int i = 0; i < n; i++) {
            int k = i;
            writer.get("m." + i, 64, 3 * PackedMatrix.NR, () -> PackedMatrix.pack(weight(3 * PackedMatrix.NR, 64, 100 + k)));
        }
        writer.save();
        for (int round = 0; round < 20; round++) {
            boolean forward = round % 2 == 0, closeFirst = round % 5 == 4;
            PackedCache cache = PackedCache.open(file, "fp", false, true);
            if (closeFirst) cache.close(); // the helper stops claiming; the load copies whatever is left itself
            for (int j = 0; j < n; j++) {
                int i = forward ? j : n - 1 - j;
                assertBitwiseEqual(PackedMatrix.pack(weight(3 * PackedMatrix.NR, 64, 100 + i)),
                        cache.get("m." + i, 64, 3 * PackedMatrix.NR, MUST_NOT_PACK));
            }
            cache.close();
            assertEquals(n, cache.hits(), "round " + round);
        }
    }
}
