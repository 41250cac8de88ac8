package dev.mlm4j.weights.tf;

import dev.mlm4j.weights.DType;
import dev.mlm4j.weights.WeightException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TensorBundleTest {
    @TempDir
    Path dir;

    static float[] ramp(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (i - n / 3f) * scale;
        return v;
    }

    /** Two shards, data aligned to 8 bytes, more entries than one index block holds. */
    private TestBundleWriter sample() {
        TestBundleWriter w = new TestBundleWriter();
        w.numShards = 2;
        w.alignment = 8;
        w.blockSize = 128;
        w.restartInterval = 2;
        for (int i = 0; i < 12; i++) {
            TestBundleWriter.Tensor t = w.addFloats(String.format("bert/encoder/layer_%d/output/dense/kernel", i), ramp(15, i + 1), 3, 5);
            t.shard = i % 2;
        }
        w.addFloats("bert/embeddings/LayerNorm/gamma", new float[] {1, 2, 3}, 3);
        w.addFloats("scalar", new float[] {42}); // shape []
        return w;
    }

    @Test
    void readsTensorsFromSeveralShardsInTheirStoredLayout() throws IOException {
        sample().write(dir, "model.ckpt");
        try (TensorBundle b = TensorBundle.open(dir.resolve("model.ckpt"))) {
            assertEquals(2, b.header().numShards());
            assertEquals(ByteOrder.LITTLE_ENDIAN, b.header().byteOrder());
            assertEquals(14, b.entries().size());
            BundleEntry e = b.entry("bert/encoder/layer_3/output/dense/kernel");
            assertEquals(DType.F32, e.dtype());
            assertArrayEquals(new long[] {3, 5}, e.shape());
            assertEquals(1, e.shardId());
            assertEquals(60, e.size());
            assertEquals(0, e.offset() % 8);
            assertEquals(dir.resolve("model.ckpt.data-00001-of-00002"), b.dataFile(e));
            for (int i = 0; i < 12; i++) {
                var t = b.load(String.format("bert/encoder/layer_%d/output/dense/kernel", i));
                assertArrayEquals(new int[] {3, 5}, t.shape());
                assertArrayEquals(ramp(15, i + 1), t.toArray());
            }
            assertArrayEquals(new float[] {1, 2, 3}, b.load("bert/embeddings/LayerNorm/gamma").toArray());
            var scalar = b.load("scalar");
            assertEquals(0, scalar.rank());
            assertEquals(42f, scalar.toArray()[0]);
            assertEquals(12 * 15 + 3 + 1, b.parameterCount());
            b.verifyAll();
        }
    }

    @Test
    void opensByIndexFileByPrefixAndByDirectory() throws IOException {
        Path vars = Files.createDirectories(dir.resolve("saved_model").resolve("variables"));
        sample().write(vars, "variables");
        for (Path p : List.of(vars.resolve("variables.index"), vars.resolve("variables"), vars, dir.resolve("saved_model"))) {
            try (TensorBundle b = TensorBundle.open(p)) {
                assertEquals(vars.resolve("variables.index"), b.indexFile(), p.toString());
            }
        }
        Path other = Files.createDirectories(dir.resolve("other"));
        sample().write(other, "bert_model.ckpt");
        try (TensorBundle b = TensorBundle.open(other)) {
            assertEquals(other.resolve("bert_model.ckpt.index"), b.indexFile());
        }
        sample().write(other, "second.ckpt");
        var two = assertThrows(WeightException.class, () -> TensorBundle.open(other));
        assertTrue(two.getMessage().contains("several"), two.getMessage());
        var none = assertThrows(WeightException.class, () -> TensorBundle.open(dir.resolve("absent")));
        assertTrue(none.getMessage().contains("no TensorFlow checkpoint at " + dir.resolve("absent")), none.getMessage());
    }

    @Test
    void widensHalfAndBfloat16AndRoundsDouble() throws IOException {
        for (int endianness : new int[] {0, 1}) {
            ByteOrder order = endianness == 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
            TestBundleWriter w = new TestBundleWriter();
            w.endianness = endianness;
            // float16: 1.5 = 0x3e00, -2 = 0xc000, 65504 = 0x7bff; bfloat16: the top half of the float32 bits
            w.add("half", BundleEntry.DT_HALF, new long[] {3}, shorts(order, (short) 0x3e00, (short) 0xc000, (short) 0x7bff));
            w.add("bf16", BundleEntry.DT_BFLOAT16, new long[] {2}, shorts(order, (short) (Float.floatToIntBits(3.140625f) >>> 16),
                    (short) (Float.floatToIntBits(-0.5f) >>> 16)));
            w.add("f64", BundleEntry.DT_DOUBLE, new long[] {2}, ByteBuffer.allocate(16).order(order).putDouble(0.1).putDouble(-1e300).array());
            w.addFloats("f32", new float[] {1.25f, -7f}, 2);
            w.write(dir, "w" + endianness);
            try (TensorBundle b = TensorBundle.open(dir.resolve("w" + endianness + ".index"))) {
                assertEquals(order, b.header().byteOrder());
                assertArrayEquals(new float[] {1.5f, -2f, 65504f}, b.load("half").toArray());
                assertArrayEquals(new float[] {3.140625f, -0.5f}, b.load("bf16").toArray());
                assertArrayEquals(new float[] {0.1f, Float.NEGATIVE_INFINITY}, b.load("f64").toArray());
                assertArrayEquals(new float[] {1.25f, -7f}, b.load("f32").toArray());
            }
        }
    }

    private static byte[] shorts(ByteOrder order, short... s) {
        ByteBuffer b = ByteBuffer.allocate(2 * s.length).order(order);
        for (short x : s) b.putShort(x);
        return b.array();
    }

    @Test
    void flippedDataByteFailsTheChecksumNamingTensorAndFile() throws IOException {
        sample().write(dir, "m");
        Path data = dir.resolve("m.data-00001-of-00002");
        BundleEntry victim;
        try (TensorBundle b = TensorBundle.open(dir.resolve("m"))) {
            victim = b.entry("bert/encoder/layer_5/output/dense/kernel");
        }
        byte[] bytes = Files.readAllBytes(data);
        bytes[(int) victim.offset() + 7] ^= 0x10;
        Files.write(data, bytes);
        try (TensorBundle b = TensorBundle.open(dir.resolve("m"))) {
            var e = assertThrows(WeightException.class, () -> b.load(victim.name()));
            assertTrue(e.getMessage().contains("'" + victim.name() + "'") && e.getMessage().contains(data.toString())
                    && e.getMessage().contains("corrupt"), e.getMessage());
            assertThrows(WeightException.class, b::verifyAll);
            // its neighbours are intact
            assertArrayEquals(ramp(15, 4), b.load("bert/encoder/layer_3/output/dense/kernel").toArray());
        }
        try (TensorBundle b = TensorBundle.open(dir.resolve("m"), false)) {
            assertFalse(java.util.Arrays.equals(ramp(15, 6), b.load(victim.name()).toArray()),
                    "with checksums off the damaged bytes come through: that is what verification is for");
        }
    }

    @Test
    void truncatedDataFileFailsAtOpenNamingTensorAndFile() throws IOException {
        sample().write(dir, "m");
        Path data = dir.resolve("m.data-00000-of-00002");
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
            f.setLength(f.length() - 6); // the last tensor, 'scalar', is 4 bytes + 4 of alignment padding
        }
        var e = assertThrows(WeightException.class, () -> TensorBundle.open(dir.resolve("m")));
        assertTrue(e.getMessage().contains(data.toString()) && e.getMessage().contains("truncated")
                && e.getMessage().contains("'scalar' needs bytes"), e.getMessage());
    }

    @Test
    void missingShardFileIsNamed() throws IOException {
        sample().write(dir, "m");
        Path data = dir.resolve("m.data-00001-of-00002");
        Files.delete(data);
        var e = assertThrows(WeightException.class, () -> TensorBundle.open(dir.resolve("m")));
        assertTrue(e.getMessage().contains(data.toString()) && e.getMessage().contains("missing")
                && e.getMessage().contains("'bert/encoder/layer_1/output/dense/kernel' and 5 other(s)"), e.getMessage());
    }

    @Test
    void sizeThatDisagreesWithShapeAndTypeIsRefused() throws IOException {
        TestBundleWriter w = sample();
        w.tensors.get(4).size = 56L;
        w.write(dir, "m");
        var e = assertThrows(WeightException.class, () -> TensorBundle.open(dir.resolve("m")));
        assertTrue(e.getMessage().contains("'bert/encoder/layer_4/output/dense/kernel'")
                && e.getMessage().contains("DT_FLOAT[3, 5], which needs 60 bytes, but its entry records 56"), e.getMessage());
    }

    @Test
    void entryPointingPastTheDataEndIsRefused() throws IOException {
        TestBundleWriter w = sample();
        w.tensors.get(2).offset = 1L << 40;
        w.write(dir, "m");
        var e = assertThrows(WeightException.class, () -> TensorBundle.open(dir.resolve("m")));
        assertTrue(e.getMessage().contains("'bert/encoder/layer_2/output/dense/kernel' needs bytes [1099511627776,")
                && e.getMessage().contains("m.data-00000-of-00002"), e.getMessage());
    }

    @Test
    void shardOutOfRangeIsRefused() throws IOException {
        TestBundleWriter w = sample();
        w.tensors.get(0).rawEntry = new TestBundleWriter.Proto().varint(1, BundleEntry.DT_FLOAT).varint(3, 7).varint(5, 4).toByteArray();
        w.write(dir, "m");
        var e = assertThrows(WeightException.class, () -> TensorBundle.open(dir.resolve("m")));
        assertTrue(e.getMessage().contains("shard 7") && e.getMessage().contains("2 shard(s)"), e.getMessage());
    }

    @Test
    void hostileShapesFailCleanlyWithoutAllocating() throws IOException {
        TestBundleWriter w = new TestBundleWriter();
        w.addFloats("ok", new float[] {1}, 1);
        w.add("huge", BundleEntry.DT_FLOAT, new long[] {1L << 40, 1L << 40}, new byte[4]).size = 4L;
        w.write(dir, "m");
        var e = assertThrows(WeightException.class, () -> TensorBundle.open(dir.resolve("m")));
        assertTrue(e.getMessage().contains("'huge'") && e.getMessage().contains("more than 2^63"), e.getMessage());

        TestBundleWriter v = new TestBundleWriter();
        v.add("big", BundleEntry.DT_FLOAT, new long[] {1L << 31, 4}, new byte[4]).size = 1L << 35;
        v.write(dir, "v");
        var f = assertThrows(WeightException.class, () -> TensorBundle.open(dir.resolve("v")));
        assertTrue(f.getMessage().contains("'big' needs bytes [0, 34359738368)"), f.getMessage());
    }

    @Test
    void tensorLargerThanAJavaArrayIsRefusedOnLoad() throws IOException {
        // 2^31 floats = 8 GiB, as a sparse file: the entry is consistent, only the heap copy is impossible.
        TestBundleWriter w = new TestBundleWriter();
        w.add("big", BundleEntry.DT_FLOAT, new long[] {1L << 31}, new byte[0]).size = 1L << 33;
        w.write(dir, "s");
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("s.data-00000-of-00001").toFile(), "rw")) {
            f.setLength(1L << 33);
        }
        try (TensorBundle b = TensorBundle.open(dir.resolve("s"))) {
            var e = assertThrows(WeightException.class, () -> b.load("big"));
            assertTrue(e.getMessage().contains("'big'") && e.getMessage().contains("more than a Java array holds"), e.getMessage());
        }
    }

    @Test
    void missingHeaderAndNewerFormatsAreRefused() throws IOException {
        TestBundleWriter w = sample();
        w.header = false;
        w.write(dir, "a");
        var e = assertThrows(WeightException.class, () -> TensorBundle.open(dir.resolve("a")));
        assertTrue(e.getMessage().contains("no bundle header"), e.getMessage());

        TestBundleWriter n = sample();
        n.minConsumer = 2;
        n.write(dir, "b");
        var f = assertThrows(WeightException.class, () -> TensorBundle.open(dir.resolve("b")));
        assertTrue(f.getMessage().contains("version 2 or later"), f.getMessage());
    }

    @Test
    void unreadableEntryProtoIsNamed() throws IOException {
        TestBundleWriter w = sample();
        w.tensors.get(1).rawEntry = new byte[] {0x0a, 0x7f, 0x01}; // field 1 as bytes, length past the end
        w.write(dir, "m");
        var e = assertThrows(WeightException.class, () -> TensorBundle.open(dir.resolve("m")));
        assertTrue(e.getMessage().contains("unreadable entry for tensor 'bert/encoder/layer_1/output/dense/kernel'"), e.getMessage());
    }

    @Test
    void nonFloatPartitionedAndClosedTensorsFailOnLoadWithReasons() throws IOException {
        TestBundleWriter w = new TestBundleWriter();
        w.add("global_step", BundleEntry.DT_INT64, new long[] {}, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        w.add("text", BundleEntry.DT_STRING, new long[] {1}, new byte[] {3, 0, 0, 0, 0, 'a', 'b', 'c'});
        w.add("part", BundleEntry.DT_FLOAT, new long[] {4, 2}, null).slices = 2;
        w.addFloats("\u0000part\u0002slice0", new float[] {1, 2, 3, 4}, 2, 2); // a slice's binary key starts with 0
        w.addFloats("w", new float[] {1, 2}, 2);
        w.write(dir, "m");
        TensorBundle b = TensorBundle.open(dir.resolve("m"));
        assertEquals(List.of("global_step", "part", "text", "w"), List.copyOf(b.entries().keySet()));
        assertEquals(1000L, b.bytes(b.entry("global_step")).get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0));
        var i = assertThrows(WeightException.class, () -> b.load("global_step"));
        assertTrue(i.getMessage().contains("DT_INT64, not a floating-point tensor"), i.getMessage());
        var s = assertThrows(WeightException.class, () -> b.load("text"));
        assertTrue(s.getMessage().contains("DT_STRING"), s.getMessage());
        var p = assertThrows(WeightException.class, () -> b.load("part"));
        assertTrue(p.getMessage().contains("partitioned variable stored as 2 slices"), p.getMessage());
        var m = assertThrows(WeightException.class, () -> b.load("absent"));
        assertTrue(m.getMessage().contains("no tensor 'absent'"), m.getMessage());
        b.close();
        var c = assertThrows(WeightException.class, () -> b.load("w"));
        assertTrue(c.getMessage().contains("closed"), c.getMessage());
    }
}
