package dev.mlm4j.weights.tf;

import dev.mlm4j.weights.WeightException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A LevelDB-format sorted string table ("SSTable"), read whole: the format of TensorFlow's checkpoint index
 * ({@code *.index}), written by {@code tensorflow/core/lib/io/table_builder.cc} (a copy of LevelDB's).
 *
 * <p>Layout (leveldb/doc/table_format.md):
 * <pre>
 *   [data block][trailer] ... [meta-index block][trailer] [index block][trailer] [footer: 48 bytes]
 *   trailer = compression type (1 byte: 0 none, 1 Snappy) + masked crc32c of (block ‖ type byte), fixed32
 *   footer  = meta-index handle + index handle (varint64 offset, varint64 size each), zero-padded to 40 bytes,
 *             then the magic 0xdb4775248b80fb57 as fixed64 little-endian
 *   block   = entries, then the restart offsets (fixed32 each) and their count (fixed32);
 *   entry   = varint32 shared key bytes, varint32 unshared key bytes, varint32 value length,
 *             unshared key bytes, value    (keys are prefix-compressed against the previous key;
 *             the entry at each restart point stores its key whole)
 * </pre>
 * The index block maps a separator key (≥ every key of a data block) to that block's handle. Every block's
 * checksum is verified and keys must be strictly increasing, so a corrupt or truncated file fails with a
 * {@link WeightException} naming it, never with garbage entries. Nothing is allocated before it is checked to
 * lie within the file.
 */
public final class LevelDbTable {
    static final int FOOTER_LENGTH = 48;
    static final int BLOCK_TRAILER_LENGTH = 5;
    static final long MAGIC = 0xdb4775248b80fb57L;
    static final byte NO_COMPRESSION = 0, SNAPPY = 1;
    /**
     * Largest block read. TensorFlow writes data blocks of a few KiB and an index block of one entry per data
     * block, so no real index comes near this; a larger handle is corruption, refused before allocating.
     */
    static final int MAX_BLOCK = 256 << 20;

    /** One key/value pair, in table order (bytewise ascending keys). */
    public record Entry(byte[] key, byte[] value) {
        /** The key decoded as UTF-8 (TensorFlow tensor names are UTF-8). */
        public String keyString() {
            return new String(key, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "'" + keyString() + "' (" + value.length + " bytes)";
        }
    }

    private LevelDbTable() {}

    /** All entries of the table in {@code file}, in key order. */
    public static List<Entry> read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return new Reader(file, ch).readAll();
        } catch (NoSuchFileException e) {
            throw new WeightException("checkpoint index " + file + " does not exist", e);
        } catch (IOException e) {
            throw new WeightException("cannot read checkpoint index " + file + ": " + e.getMessage(), e);
        }
    }

    private record Handle(long offset, long size) {}

    private static final class Reader {
        private final Path file;
        private final FileChannel ch;
        private final long fileSize;
        private final List<Entry> entries = new ArrayList<>();

        Reader(Path file, FileChannel ch) throws IOException {
            this.file = file;
            this.ch = ch;
            this.fileSize = ch.size();
        }

        List<Entry> readAll() throws IOException {
            if (fileSize < FOOTER_LENGTH) {
                throw corrupt("is " + fileSize + " bytes, shorter than a table footer (" + FOOTER_LENGTH + ")");
            }
            byte[] footer = readBytes(fileSize - FOOTER_LENGTH, FOOTER_LENGTH);
            long magic = ByteBuffer.wrap(footer, 40, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (magic != MAGIC) {
                throw corrupt("has a bad magic number " + String.format("0x%016x", magic) + " (expected 0x"
                        + Long.toHexString(MAGIC) + "): not a LevelDB table, or truncated");
            }
            Cursor c = new Cursor(footer, 0, 40, "footer");
            c.handle(); // meta-index: TensorFlow writes it empty (no filters); not needed to read the table
            Handle indexHandle = c.handle();
            byte[] index = readBlock(indexHandle, "index block");
            forEachEntry(index, "index block", (key, value) -> {
                Cursor h = new Cursor(value, 0, value.length, "index entry");
                Handle dataHandle = h.handle();
                String what = "data block at offset " + dataHandle.offset();
                byte[] block = readBlock(dataHandle, what);
                forEachEntry(block, what, this::add);
            });
            return entries;
        }

        private void add(byte[] key, byte[] value) {
            if (!entries.isEmpty() && Arrays.compareUnsigned(entries.getLast().key(), key) >= 0) {
                throw corrupt("has keys out of order ('" + entries.getLast().keyString() + "' then '"
                        + new String(key, StandardCharsets.UTF_8) + "')");
            }
            entries.add(new Entry(key, value));
        }

        private byte[] readBlock(Handle h, String what) throws IOException {
            long limit = fileSize - FOOTER_LENGTH;
            if (h.offset() < 0 || h.size() < 0 || h.size() > limit || h.offset() > limit - h.size() - BLOCK_TRAILER_LENGTH) {
                throw corrupt("has a " + what + " of " + h.size() + " bytes at offset " + h.offset()
                        + " that runs past the end of the file (" + fileSize + " bytes)");
            }
            if (h.size() > MAX_BLOCK) {
                throw corrupt("has a " + what + " of " + h.size() + " bytes, more than any TensorFlow index holds ("
                        + MAX_BLOCK + ")");
            }
            int n = (int) h.size();
            byte[] buf = readBytes(h.offset(), n + BLOCK_TRAILER_LENGTH);
            int stored = Crc32c.unmask(ByteBuffer.wrap(buf, n + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
            int actual = Crc32c.of(buf, 0, n + 1);
            if (stored != actual) {
                throw corrupt("has a " + what + " with a bad checksum (stored " + Crc32c.hex(stored) + ", computed "
                        + Crc32c.hex(actual) + ")");
            }
            byte type = buf[n];
            if (type == SNAPPY) {
                throw corrupt("has a Snappy-compressed " + what + "; mlm4j reads only uncompressed tables "
                        + "(TensorFlow writes checkpoint indexes uncompressed)");
            }
            if (type != NO_COMPRESSION) throw corrupt("has a " + what + " with unknown compression type " + type);
            return Arrays.copyOf(buf, n);
        }

        private interface EntryConsumer {
            void accept(byte[] key, byte[] value) throws IOException;
        }

        private void forEachEntry(byte[] block, String what, EntryConsumer consumer) throws IOException {
            if (block.length < 4) throw corrupt("has a " + what + " too short for its restart count");
            int restarts = ByteBuffer.wrap(block, block.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            if (restarts < 0 || restarts > (block.length - 4) / 4) {
                throw corrupt("has a " + what + " claiming " + Integer.toUnsignedString(restarts) + " restart points");
            }
            int dataEnd = block.length - 4 - 4 * restarts;
            Cursor c = new Cursor(block, 0, dataEnd, what);
            byte[] key = new byte[0];
            while (c.remaining() > 0) {
                int shared = c.varint32();
                int unshared = c.varint32();
                int valueLength = c.varint32();
                if (shared > key.length) {
                    throw corrupt("has a " + what + " entry sharing " + shared + " bytes with a " + key.length + "-byte key");
                }
                byte[] next = Arrays.copyOf(key, shared + c.checkAvailable(unshared));
                c.copy(next, shared, unshared);
                byte[] value = new byte[c.checkAvailable(valueLength)];
                c.copy(value, 0, valueLength);
                key = next;
                consumer.accept(key, value);
            }
        }

        private byte[] readBytes(long offset, int length) throws IOException {
            ByteBuffer bb = ByteBuffer.allocate(length);
            while (bb.hasRemaining()) {
                int n = ch.read(bb, offset + bb.position());
                if (n < 0) throw corrupt("ended early reading " + length + " bytes at offset " + offset);
            }
            return bb.array();
        }

        private WeightException corrupt(String what) {
            return new WeightException("checkpoint index " + file + " " + what);
        }

        /** Bounds-checked reading of varints and bytes within one block or footer. */
        private final class Cursor {
            private final byte[] buf;
            private int pos;
            private final int end;
            private final String what;

            Cursor(byte[] buf, int from, int end, String what) {
                this.buf = buf;
                this.pos = from;
                this.end = end;
                this.what = what;
            }

            int remaining() {
                return end - pos;
            }

            long varint64() {
                long v = 0;
                for (int shift = 0; shift < 64; shift += 7) {
                    if (pos >= end) throw corrupt("has a truncated varint in its " + what);
                    byte b = buf[pos++];
                    v |= (long) (b & 0x7f) << shift;
                    if (b >= 0) return v;
                }
                throw corrupt("has an over-long varint in its " + what);
            }

            int varint32() {
                long v = varint64();
                if (v >>> 31 != 0) throw corrupt("has a length " + v + " out of range in its " + what);
                return (int) v;
            }

            Handle handle() {
                return new Handle(varint64(), varint64());
            }

            int checkAvailable(int n) {
                if (n > remaining()) throw corrupt("has a " + what + " entry running past the block end");
                return n;
            }

            void copy(byte[] dst, int at, int n) {
                System.arraycopy(buf, pos, dst, at, n);
                pos += n;
            }
        }
    }
}
