package dev.mlm4j.weights.tf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Writes small tensor bundles for tests, the way TensorFlow's BundleWriter and LevelDB's TableBuilder do
 * (tensor_bundle.cc, table_builder.cc, block_builder.cc) — with knobs to write them wrong on purpose.
 */
final class TestBundleWriter {

    /** One tensor; the nullable fields override what would be written, to make inconsistent entries. */
    static final class Tensor {
        final String name;
        int dataType;
        long[] shape;
        byte[] data;
        int shard;
        int slices;
        Long size;       // entry's size field; default data.length
        Long offset;     // entry's offset field; default where the data was written
        Integer crc;     // entry's masked crc; default the right one
        byte[] rawEntry; // the whole entry value, verbatim

        Tensor(String name, int dataType, long[] shape, byte[] data) {
            this.name = name;
            this.dataType = dataType;
            this.shape = shape;
            this.data = data;
        }
    }

    final List<Tensor> tensors = new ArrayList<>();
    int numShards = 1;
    int endianness = 0;
    int minConsumer = 0;
    int blockSize = 4096;
    int restartInterval = 16;
    int alignment = 1;
    boolean header = true;

    Tensor add(String name, int dataType, long[] shape, byte[] data) {
        Tensor t = new Tensor(name, dataType, shape, data);
        tensors.add(t);
        return t;
    }

    Tensor addFloats(String name, float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(endianness == 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        for (float v : values) b.putFloat(v);
        return add(name, BundleEntry.DT_FLOAT, shape, b.array());
    }

    /** Writes {@code dir/prefix.index} and its data shards; returns the index path. */
    Path write(Path dir, String prefix) throws IOException {
        ByteArrayOutputStream[] shards = new ByteArrayOutputStream[Math.max(numShards, 1)];
        for (int i = 0; i < shards.length; i++) shards[i] = new ByteArrayOutputStream();
        List<byte[][]> kv = new ArrayList<>();
        if (header) kv.add(new byte[][] {new byte[0], headerProto()});
        List<Tensor> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparing(t -> t.name));
        for (Tensor t : sorted) {
            ByteArrayOutputStream out = shards[t.shard];
            long offset = out.size();
            if (t.slices == 0 && t.data != null) {
                out.write(t.data);
                while (out.size() % alignment != 0) out.write(0);
            }
            kv.add(new byte[][] {t.name.getBytes(StandardCharsets.UTF_8), t.rawEntry != null ? t.rawEntry : entryProto(t, offset)});
        }
        for (int i = 0; i < shards.length; i++) {
            Files.write(dir.resolve(prefix + String.format(".data-%05d-of-%05d", i, numShards)), shards[i].toByteArray());
        }
        Path index = dir.resolve(prefix + ".index");
        Files.write(index, table(kv, blockSize, restartInterval));
        return index;
    }

    private byte[] headerProto() {
        Proto version = new Proto().varint(1, 1).varint(2, minConsumer);
        return new Proto().varint(1, numShards).varint(2, endianness).bytes(3, version.toByteArray()).toByteArray();
    }

    private static byte[] entryProto(Tensor t, long offset) {
        Proto shape = new Proto();
        for (long d : t.shape) shape.bytes(2, new Proto().varint(1, d).toByteArray());
        Proto e = new Proto().varint(1, t.dataType).bytes(2, shape.toByteArray());
        if (t.slices == 0) {
            long size = t.size != null ? t.size : t.data.length;
            int crc = t.crc != null ? t.crc : Crc32c.mask(Crc32c.of(t.data, 0, t.data.length));
            e.varint(3, t.shard).varint(4, t.offset != null ? t.offset : offset).varint(5, size).fixed32(6, crc);
        }
        for (int i = 0; i < t.slices; i++) e.bytes(7, new byte[0]);
        return e.toByteArray();
    }

    /** A LevelDB table of {@code kv} (sorted by key): data blocks, an empty meta-index block, the index block, the footer. */
    static byte[] table(List<byte[][]> kv, int blockSize, int restartInterval) {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        List<byte[][]> index = new ArrayList<>();
        Block block = new Block(restartInterval);
        byte[] lastKey = null;
        for (byte[][] e : kv) {
            block.add(e[0], e[1]);
            lastKey = e[0];
            if (block.size() >= blockSize) {
                index.add(new byte[][] {lastKey, handle(writeBlock(file, block.finish(), (byte) 0))});
                block = new Block(restartInterval);
            }
        }
        if (!block.isEmpty()) index.add(new byte[][] {lastKey, handle(writeBlock(file, block.finish(), (byte) 0))});
        long[] meta = writeBlock(file, new Block(restartInterval).finish(), (byte) 0);
        Block indexBlock = new Block(1);
        for (byte[][] e : index) indexBlock.add(e[0], e[1]);
        long[] idx = writeBlock(file, indexBlock.finish(), (byte) 0);
        byte[] footer = new byte[LevelDbTable.FOOTER_LENGTH];
        byte[] handles = new Proto().rawVarint(meta[0]).rawVarint(meta[1]).rawVarint(idx[0]).rawVarint(idx[1]).toByteArray();
        System.arraycopy(handles, 0, footer, 0, handles.length);
        ByteBuffer.wrap(footer, 40, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(LevelDbTable.MAGIC);
        file.writeBytes(footer);
        return file.toByteArray();
    }

    private static byte[] handle(long[] h) {
        return new Proto().rawVarint(h[0]).rawVarint(h[1]).toByteArray();
    }

    /** Appends block + trailer; returns {offset, size}. */
    static long[] writeBlock(ByteArrayOutputStream file, byte[] contents, byte type) {
        long offset = file.size();
        file.writeBytes(contents);
        byte[] withType = Arrays.copyOf(contents, contents.length + 1);
        withType[contents.length] = type;
        file.write(type);
        file.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(Crc32c.mask(Crc32c.of(withType, 0, withType.length))).array());
        return new long[] {offset, contents.length};
    }

    /** LevelDB's BlockBuilder: prefix-compressed keys, a restart point every {@code restartInterval} entries. */
    static final class Block {
        private final int restartInterval;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final List<Integer> restarts = new ArrayList<>(List.of(0));
        private byte[] last = new byte[0];
        private int counter;
        private int count;

        Block(int restartInterval) {
            this.restartInterval = restartInterval;
        }

        void add(byte[] key, byte[] value) {
            int shared = 0;
            if (counter < restartInterval) {
                while (shared < Math.min(last.length, key.length) && last[shared] == key[shared]) shared++;
            } else {
                restarts.add(out.size());
                counter = 0;
            }
            Proto p = new Proto().rawVarint(shared).rawVarint(key.length - shared).rawVarint(value.length);
            out.writeBytes(p.toByteArray());
            out.write(key, shared, key.length - shared);
            out.writeBytes(value);
            last = key;
            counter++;
            count++;
        }

        int size() {
            return out.size() + 4 * restarts.size() + 4;
        }

        boolean isEmpty() {
            return count == 0;
        }

        byte[] finish() {
            ByteBuffer b = ByteBuffer.allocate(4 * restarts.size() + 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int r : restarts) b.putInt(r);
            b.putInt(restarts.size());
            out.writeBytes(b.array());
            return out.toByteArray();
        }
    }

    /** Protobuf wire-format writer. */
    static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto rawVarint(long v) {
            while ((v & ~0x7fL) != 0) {
                out.write((int) ((v & 0x7f) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        Proto varint(int field, long v) {
            return rawVarint((long) field << 3).rawVarint(v);
        }

        Proto fixed32(int field, int v) {
            rawVarint((long) field << 3 | 5);
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
            return this;
        }

        Proto bytes(int field, byte[] b) {
            rawVarint((long) field << 3 | 2).rawVarint(b.length);
            out.writeBytes(b);
            return this;
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
