package dev.mlm4j.weights.tf;

import dev.mlm4j.weights.WeightException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class LevelDbTableTest {
    @TempDir
    Path dir;

    /** Sorted keys with long shared prefixes (like tensor names), values of varied length. */
    static List<byte[][]> sampleEntries(int n, long seed) {
        Random rnd = new Random(seed);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) keys.add(String.format("module/bert/encoder/layer_%d/part_%04d", i % 13, i));
        keys.sort(null);
        List<byte[][]> kv = new ArrayList<>();
        for (String k : keys) {
            byte[] v = new byte[rnd.nextInt(40)];
            rnd.nextBytes(v);
            kv.add(new byte[][] {k.getBytes(StandardCharsets.UTF_8), v});
        }
        return kv;
    }

    private Path writeTable(byte[] bytes) throws IOException {
        Path p = Files.createTempFile(dir, "t", ".index");
        Files.write(p, bytes);
        return p;
    }

    static void assertSameEntries(List<byte[][]> expected, List<LevelDbTable.Entry> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i)[0], actual.get(i).key(), "key " + i);
            assertArrayEquals(expected.get(i)[1], actual.get(i).value(), "value " + i);
        }
    }

    @Test
    void readsEveryEntryAcrossBlocksAndRestartPoints() throws IOException {
        for (int restart : new int[] {1, 3, 16}) {
            for (int blockSize : new int[] {64, 300, 1 << 20}) {
                List<byte[][]> kv = sampleEntries(500, restart * 31L + blockSize);
                Path p = writeTable(TestBundleWriter.table(kv, blockSize, restart));
                assertSameEntries(kv, LevelDbTable.read(p));
            }
        }
    }

    @Test
    void readsAnEmptyTable() throws IOException {
        assertEquals(List.of(), LevelDbTable.read(writeTable(TestBundleWriter.table(List.of(), 4096, 16))));
    }

    @Test
    void badMagicIsNamed() throws IOException {
        byte[] t = TestBundleWriter.table(sampleEntries(20, 1), 4096, 16);
        t[t.length - 1] ^= 1;
        Path p = writeTable(t);
        var e = assertThrows(WeightException.class, () -> LevelDbTable.read(p));
        assertTrue(e.getMessage().contains("bad magic") && e.getMessage().contains(p.toString()), e.getMessage());
    }

    @Test
    void truncatedFilesFailClearly() throws IOException {
        byte[] t = TestBundleWriter.table(sampleEntries(50, 2), 256, 4);
        for (int keep : new int[] {0, 10, 47, t.length / 2, t.length - 1}) {
            Path p = writeTable(Arrays.copyOf(t, keep));
            var e = assertThrows(WeightException.class, () -> LevelDbTable.read(p), "kept " + keep);
            assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("shorter than a table footer") || e.getMessage().contains("bad magic"), e.getMessage());
        }
    }

    @Test
    void flippedBlockByteFailsItsChecksum() throws IOException {
        byte[] t = TestBundleWriter.table(sampleEntries(50, 3), 256, 4);
        t[20] ^= 0x40; // inside the first data block
        Path p = writeTable(t);
        var e = assertThrows(WeightException.class, () -> LevelDbTable.read(p));
        assertTrue(e.getMessage().contains("bad checksum"), e.getMessage());
    }

    @Test
    void snappyBlocksAreRefusedByName() throws IOException {
        // A table whose only data block claims Snappy compression (with a valid checksum).
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        TestBundleWriter.Block data = new TestBundleWriter.Block(16);
        data.add("a".getBytes(StandardCharsets.UTF_8), new byte[] {1});
        long[] d = TestBundleWriter.writeBlock(file, data.finish(), LevelDbTable.SNAPPY);
        long[] meta = TestBundleWriter.writeBlock(file, new TestBundleWriter.Block(16).finish(), (byte) 0);
        TestBundleWriter.Block index = new TestBundleWriter.Block(1);
        index.add("a".getBytes(StandardCharsets.UTF_8), new TestBundleWriter.Proto().rawVarint(d[0]).rawVarint(d[1]).toByteArray());
        long[] idx = TestBundleWriter.writeBlock(file, index.finish(), (byte) 0);
        file.writeBytes(footer(meta, idx));
        Path p = writeTable(file.toByteArray());
        var e = assertThrows(WeightException.class, () -> LevelDbTable.read(p));
        assertTrue(e.getMessage().contains("Snappy"), e.getMessage());
    }

    @Test
    void indexHandlePastTheEndIsRefusedBeforeAllocating() throws IOException {
        byte[] t = TestBundleWriter.table(sampleEntries(5, 4), 4096, 16);
        byte[] footer = footer(new long[] {0, 0}, new long[] {0, Long.MAX_VALUE / 2});
        System.arraycopy(footer, 0, t, t.length - footer.length, footer.length);
        Path p = writeTable(t);
        var e = assertThrows(WeightException.class, () -> LevelDbTable.read(p));
        assertTrue(e.getMessage().contains("runs past the end of the file"), e.getMessage());
    }

    @Test
    void keysOutOfOrderAreCorruption() throws IOException {
        List<byte[][]> kv = new ArrayList<>(sampleEntries(10, 5));
        kv.add(kv.removeFirst());
        Path p = writeTable(TestBundleWriter.table(kv, 4096, 16));
        var e = assertThrows(WeightException.class, () -> LevelDbTable.read(p));
        assertTrue(e.getMessage().contains("out of order"), e.getMessage());
    }

    @Test
    void missingFileIsNamed() {
        Path p = dir.resolve("nope.index");
        var e = assertThrows(WeightException.class, () -> LevelDbTable.read(p));
        assertTrue(e.getMessage().contains("does not exist") && e.getMessage().contains(p.toString()), e.getMessage());
    }

    /** Any damage to a table either leaves it readable as it was (footer padding) or fails as a WeightException. */
    @Property(tries = 300)
    void damageNeverYieldsGarbageOrOtherExceptions(@ForAll @IntRange(min = 0, max = 1 << 20) int where,
                                                   @ForAll @IntRange(min = 1, max = 255) int xor,
                                                   @ForAll boolean truncate) throws IOException {
        List<byte[][]> kv = sampleEntries(40, 6);
        byte[] t = TestBundleWriter.table(kv, 200, 3);
        int at = where % t.length;
        byte[] damaged = truncate ? Arrays.copyOf(t, at) : t.clone();
        if (!truncate) damaged[at] ^= (byte) xor;
        Path p = Files.createTempFile("leveldb", ".index");
        try {
            Files.write(p, damaged);
            List<LevelDbTable.Entry> read;
            try {
                read = LevelDbTable.read(p);
            } catch (WeightException expected) {
                return;
            }
            assertSameEntries(kv, read);
        } finally {
            Files.delete(p);
        }
    }

    /** Blocks of arbitrary bytes behind valid checksums (a buggy writer) fail as WeightException, or parse. */
    @Property(tries = 300)
    void arbitraryBlockContentsNeverEscapeAsOtherExceptions(@ForAll @Size(max = 64) byte[] contents,
                                                           @ForAll boolean asIndex) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        long[] data = TestBundleWriter.writeBlock(file, contents, (byte) 0);
        long[] meta = TestBundleWriter.writeBlock(file, new TestBundleWriter.Block(16).finish(), (byte) 0);
        long[] idx;
        if (asIndex) {
            idx = data;
        } else {
            TestBundleWriter.Block index = new TestBundleWriter.Block(1);
            index.add(new byte[] {'z'}, new TestBundleWriter.Proto().rawVarint(data[0]).rawVarint(data[1]).toByteArray());
            idx = TestBundleWriter.writeBlock(file, index.finish(), (byte) 0);
        }
        file.writeBytes(footer(meta, idx));
        Path p = Files.createTempFile("leveldb", ".index");
        try {
            Files.write(p, file.toByteArray());
            try {
                LevelDbTable.read(p);
            } catch (WeightException expected) {
                // fine: a clear error
            }
        } finally {
            Files.delete(p);
        }
    }

    static byte[] footer(long[] meta, long[] index) {
        byte[] footer = new byte[LevelDbTable.FOOTER_LENGTH];
        byte[] h = new TestBundleWriter.Proto().rawVarint(meta[0]).rawVarint(meta[1]).rawVarint(index[0]).rawVarint(index[1]).toByteArray();
        System.arraycopy(h, 0, footer, 0, h.length);
        ByteBuffer.wrap(footer, 40, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(LevelDbTable.MAGIC);
        return footer;
    }
}
