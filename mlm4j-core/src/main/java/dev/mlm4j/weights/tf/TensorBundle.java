package dev.mlm4j.weights.tf;

import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.DType;
import dev.mlm4j.weights.WeightException;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A TensorFlow checkpoint in the "tensor bundle" format (TF ≥ 1.0 {@code tf.train.Saver} V2 and every
 * SavedModel's {@code variables/}), read as it is stored: TensorFlow names, TensorFlow layouts. The
 * Hugging Face view is {@link TfCheckpoint}.
 *
 * <p>A bundle with prefix {@code P} is {@code P.index}, a {@link LevelDbTable} from tensor name to
 * {@link BundleEntry} (plus a {@link BundleHeader} under the empty key), and the shards
 * {@code P.data-00000-of-0000N}, which hold the tensors' bytes back to back. The shards are memory-mapped
 * once; {@link #readFloats} copies one tensor onto the heap, verifying its CRC-32C on the way unless checksums
 * were turned off. Everything that can be checked without reading tensor data — the index's block checksums,
 * each entry's size against its shape and type, each entry's byte range against its shard's length, the shard
 * files' presence — is checked by {@link #open}, so a truncated or mismatched checkpoint fails there, with a
 * {@link WeightException} that names the file and the tensor.
 *
 * <p>Thread-safe once open; {@link #close} unmaps the shards (loads after that fail).
 */
public final class TensorBundle implements Closeable {
    /** Largest element count a Java array can hold. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 16;

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32_BE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final Path indexFile;
    private final String prefix;
    private final BundleHeader header;
    private final Map<String, BundleEntry> entries;
    private final boolean verifyChecksums;
    private final Arena arena;
    private final Map<Integer, MemorySegment> shards; // the shards entries refer to, mapped
    private volatile boolean closed;

    private TensorBundle(Path indexFile, BundleHeader header, Map<String, BundleEntry> entries, boolean verifyChecksums,
                         Arena arena, Map<Integer, MemorySegment> shards) {
        this.indexFile = indexFile;
        String f = indexFile.toString();
        this.prefix = f.substring(0, f.length() - ".index".length());
        this.header = header;
        this.entries = Collections.unmodifiableMap(entries);
        this.verifyChecksums = verifyChecksums;
        this.arena = arena;
        this.shards = shards;
    }

    /** {@link #open(Path, boolean)} verifying every tensor's checksum as it is read. */
    public static TensorBundle open(Path path) {
        return open(path, true);
    }

    /**
     * Opens the bundle at {@code path}: a {@code .index} file, a checkpoint prefix ({@code model.ckpt} for
     * {@code model.ckpt.index}), a SavedModel's {@code variables} directory, a SavedModel directory, or any
     * directory holding exactly one {@code .index} file.
     *
     * @param verifyChecksums check each tensor's CRC-32C when it is read (cheap next to the copy; see
     *                        {@link #readFloats})
     */
    public static TensorBundle open(Path path, boolean verifyChecksums) {
        Path index = findIndex(path);
        List<LevelDbTable.Entry> table = LevelDbTable.read(index);
        if (table.isEmpty() || table.getFirst().key().length != 0) {
            throw new WeightException("checkpoint index " + index + " has no bundle header (the entry under the empty key)"
                    + (table.isEmpty() ? "; it is empty" : "; its first key is " + table.getFirst()));
        }
        BundleHeader header;
        try {
            header = BundleHeader.parse(table.getFirst().value());
        } catch (ProtoReader.Malformed e) {
            throw new WeightException("checkpoint index " + index + " has an unreadable bundle header: " + e.getMessage(), e);
        }
        String incompatible = header.incompatibility();
        if (incompatible != null) throw new WeightException("cannot read checkpoint " + index + ": " + incompatible);

        Map<String, BundleEntry> entries = new LinkedHashMap<>();
        for (LevelDbTable.Entry e : table.subList(1, table.size())) {
            // The slices of a partitioned variable are stored under binary keys that start with a 0 byte
            // (EncodeTensorNameSlice in saved_tensor_slice_util.cc); the variable's own entry lists them. mlm4j
            // does not assemble partitioned variables (that entry refuses to load), so the slices are not listed.
            if (e.key()[0] == 0) continue;
            String name = e.keyString();
            BundleEntry entry;
            try {
                entry = BundleEntry.parse(name, e.value());
            } catch (ProtoReader.Malformed m) {
                throw new WeightException("checkpoint index " + index + " has an unreadable entry for tensor '" + name
                        + "': " + m.getMessage(), m);
            }
            checkEntry(index, header, entry);
            if (entries.put(name, entry) != null) {
                throw new WeightException("checkpoint index " + index + " has two keys that read as '" + name + "' (invalid UTF-8)");
            }
        }

        String f = index.toString();
        String prefix = f.substring(0, f.length() - ".index".length());
        Arena arena = Arena.ofShared();
        try {
            Map<Integer, MemorySegment> shards = mapShards(prefix, header, entries, arena);
            return new TensorBundle(index, header, entries, verifyChecksums, arena, shards);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static Path findIndex(Path path) {
        if (Files.isDirectory(path)) {
            for (Path candidate : List.of(path.resolve("variables.index"), path.resolve("variables").resolve("variables.index"))) {
                if (Files.isRegularFile(candidate)) return candidate;
            }
            List<Path> found;
            try (Stream<Path> s = Files.list(path)) {
                found = s.filter(p -> p.getFileName().toString().endsWith(".index")).sorted().toList();
            } catch (IOException e) {
                throw new WeightException("cannot list checkpoint directory " + path + ": " + e.getMessage(), e);
            }
            if (found.size() == 1) return found.getFirst();
            throw new WeightException(found.isEmpty()
                    ? "no TensorFlow checkpoint in " + path + ": it holds no .index file (nor variables/variables.index)"
                    : "several TensorFlow checkpoints in " + path + ": " + found + "; name the .index file to open");
        }
        if (path.getFileName() != null && path.getFileName().toString().endsWith(".index")) {
            if (!Files.isRegularFile(path)) throw new WeightException("checkpoint index " + path + " does not exist");
            return path;
        }
        Path withSuffix = Path.of(path + ".index");
        if (Files.isRegularFile(withSuffix)) return withSuffix;
        throw new WeightException("no TensorFlow checkpoint at " + path + ": expected a .index file, a checkpoint prefix "
                + "(with " + withSuffix.getFileName() + " beside it) or a directory holding one");
    }

    /** Checks what the index alone can tell: shard in range, a full, valid shape, size = elements × type size. */
    private static void checkEntry(Path index, BundleHeader header, BundleEntry e) {
        String where = "tensor '" + e.name() + "' in checkpoint index " + index;
        if (e.slices() > 0) return; // a partitioned variable's entry carries no data of its own
        if (e.shardId() < 0 || e.shardId() >= header.numShards()) {
            throw new WeightException(where + " lies in shard " + e.shardId() + ", but the bundle has "
                    + header.numShards() + " shard(s)");
        }
        if (e.offset() < 0 || e.size() < 0) {
            throw new WeightException(where + " has a negative offset or size (" + e.offset() + ", " + e.size() + ")");
        }
        DType t = e.dtype();
        if (t == null) return; // strings, variants, complex: sizes are not a function of the shape, or not ours to read
        long elements = e.elements();
        long expected = elements < 0 || elements > Long.MAX_VALUE / t.bytes() ? -1 : elements * t.bytes();
        if (expected != e.size()) {
            throw new WeightException(where + " is " + e.typeName() + Arrays.toString(e.shape()) + ", which needs "
                    + (expected < 0 ? "more than 2^63" : Long.toString(expected)) + " bytes, but its entry records " + e.size());
        }
    }

    /** Maps every shard an entry refers to, after checking each entry's byte range lies within its shard. */
    private static Map<Integer, MemorySegment> mapShards(String prefix, BundleHeader header, Map<String, BundleEntry> entries,
                                                         Arena arena) {
        Map<Integer, MemorySegment> shards = new HashMap<>();
        for (BundleEntry e : entries.values()) {
            if (e.slices() > 0 || shards.containsKey(e.shardId())) continue;
            Path file = dataFile(prefix, e.shardId(), header.numShards());
            if (!Files.isRegularFile(file)) {
                long others = entries.values().stream().filter(x -> x.slices() == 0 && x.shardId() == e.shardId()).count() - 1;
                throw new WeightException("checkpoint data file " + file + " is missing; it should hold tensor '" + e.name()
                        + "'" + (others > 0 ? " and " + others + " other(s)" : ""));
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long size = ch.size();
                shards.put(e.shardId(), size == 0 ? MemorySegment.ofArray(new byte[0]) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena));
            } catch (IOException x) {
                throw new WeightException("cannot map checkpoint data file " + file + ": " + x.getMessage(), x);
            }
        }
        for (BundleEntry e : entries.values()) {
            if (e.slices() > 0) continue;
            long length = shards.get(e.shardId()).byteSize();
            if (e.offset() > length - e.size()) {
                throw new WeightException("tensor '" + e.name() + "' needs bytes [" + e.offset() + ", " + (e.offset() + e.size())
                        + ") of checkpoint data file " + dataFile(prefix, e.shardId(), header.numShards()) + ", which has only "
                        + length + " bytes: the file is truncated, or does not belong to this index");
            }
        }
        return shards;
    }

    /** prefix.data-0000S-of-0000N (String.format's "%05d"; not String.format itself: every tensor read asks, and a cold Formatter took ~10 ms of a start-up). */
    static Path dataFile(String prefix, int shard, int numShards) {
        return Path.of(prefix + ".data-" + fiveDigits(shard) + "-of-" + fiveDigits(numShards));
    }

    private static String fiveDigits(int n) {
        String s = Integer.toString(n);
        if (n < 0) return String.format("%05d", n);
        return s.length() >= 5 ? s : "0".repeat(5 - s.length()) + s;
    }

    public Path indexFile() {
        return indexFile;
    }

    public BundleHeader header() {
        return header;
    }

    /** Every tensor entry (the header excluded), by TensorFlow name, in the index's (sorted) order. */
    public Map<String, BundleEntry> entries() {
        return entries;
    }

    /** The entry for {@code name}, or null. */
    public BundleEntry entry(String name) {
        return entries.get(name);
    }

    /** The data file holding {@code e}. */
    public Path dataFile(BundleEntry e) {
        return dataFile(prefix, e.shardId(), header.numShards());
    }

    /** The stored bytes of {@code e}, read-only and unverified: a view of the mapped file, valid until {@link #close}. */
    public MemorySegment bytes(BundleEntry e) {
        if (closed) throw new WeightException("checkpoint " + indexFile + " is closed; cannot read tensor '" + e.name() + "'");
        if (e.slices() > 0) {
            throw new WeightException("tensor '" + e.name() + "' in " + indexFile + " is a partitioned variable stored as "
                    + e.slices() + " slices; mlm4j reads only whole tensors");
        }
        if (entries.get(e.name()) != e) throw new IllegalArgumentException("entry " + e + " is not from " + indexFile);
        return shards.get(e.shardId()).asSlice(e.offset(), e.size()).asReadOnly();
    }

    /** Checks {@code e}'s bytes against its stored CRC-32C; throws {@link WeightException} naming file and tensor if they differ. */
    public void verify(BundleEntry e) {
        verify(e, bytes(e));
    }

    private void verify(BundleEntry e, MemorySegment bytes) {
        int stored = Crc32c.unmask(e.maskedCrc());
        int actual = Crc32c.of(bytes, 0, bytes.byteSize());
        if (stored != actual) {
            throw new WeightException("tensor '" + e.name() + "' in checkpoint data file " + dataFile(e) + " is corrupt: "
                    + "its bytes [" + e.offset() + ", " + (e.offset() + e.size()) + ") have CRC-32C " + Crc32c.hex(actual)
                    + ", the index records " + Crc32c.hex(stored));
        }
    }

    /** {@link #verify} for every tensor with data. */
    public void verifyAll() {
        for (BundleEntry e : entries.values()) if (e.slices() == 0) verify(e);
    }

    /**
     * Copies tensor {@code e} onto the heap as float32 in its stored (row-major, TensorFlow) layout: float32 as
     * is, float16 and bfloat16 widened, float64 rounded. Verifies the checksum first when the bundle was opened
     * to (the bytes are read from the page cache either way; the CRC-32C is hardware-accelerated).
     */
    public float[] readFloats(BundleEntry e) {
        return readFloats(e, null);
    }

    /** {@link #readFloats(BundleEntry)} into the first elements of {@code buffer} when it is large enough (else a new array). */
    public float[] readFloats(BundleEntry e, float[] buffer) {
        if (!e.isFloatingPoint()) {
            throw new WeightException("tensor '" + e.name() + "' in " + indexFile + " is " + e.typeName()
                    + ", not a floating-point tensor");
        }
        long n = e.elements();
        if (n > MAX_ELEMENTS) {
            throw new WeightException("tensor '" + e.name() + "' in " + indexFile + " has " + n
                    + " elements, more than a Java array holds");
        }
        MemorySegment whole = bytes(e); // checks the bundle is open and the entry whole
        if (whole.byteSize() == 0) return copyFloats(e, whole, buffer, n);
        // The tensor's bytes mapped for this copy alone and unmapped after it: read through the shard's mapping, every
        // page read would stay in the process's resident set until close, so loading a model would peak at its weights'
        // size twice (the file's pages next to the heap copy made of them; 950 MB instead of ~540 for bert-base).
        try (Arena once = Arena.ofConfined(); FileChannel ch = FileChannel.open(dataFile(e), StandardOpenOption.READ)) {
            MemorySegment bytes = ch.map(FileChannel.MapMode.READ_ONLY, e.offset(), e.size(), once);
            return copyFloats(e, bytes, buffer, n);
        } catch (IOException x) {
            throw new WeightException("cannot read tensor '" + e.name() + "' from checkpoint data file " + dataFile(e) + ": " + x.getMessage(), x);
        }
    }

    private float[] copyFloats(BundleEntry e, MemorySegment bytes, float[] buffer, long n) {
        if (verifyChecksums) verify(e, bytes);
        float[] out = buffer != null && buffer.length >= n ? buffer : new float[(int) n];
        int count = (int) n;
        boolean little = header.byteOrder() == ByteOrder.LITTLE_ENDIAN;
        try {
            switch (e.dtype()) {
                case F32 -> MemorySegment.copy(bytes, little ? F32_LE : F32_BE, 0, out, 0, count);
                case F16, BF16 -> {
                    short[] raw = new short[count];
                    MemorySegment.copy(bytes, ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(header.byteOrder()), 0, raw, 0, count);
                    if (e.dtype() == DType.F16) {
                        for (int i = 0; i < count; i++) out[i] = Float.float16ToFloat(raw[i]);
                    } else {
                        for (int i = 0; i < count; i++) out[i] = Float.intBitsToFloat(raw[i] << 16);
                    }
                }
                case F64 -> {
                    ValueLayout.OfDouble f64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(header.byteOrder());
                    for (int i = 0; i < count; i++) out[i] = (float) bytes.getAtIndex(f64, i);
                }
                default -> throw new AssertionError(e.dtype());
            }
        } catch (IllegalStateException closedMeanwhile) {
            throw new WeightException("checkpoint " + indexFile + " was closed while reading tensor '" + e.name() + "'", closedMeanwhile);
        }
        return out;
    }

    /** Tensor {@code name} in TensorFlow's layout (see {@link #readFloats}). */
    public FloatTensor load(String name) {
        BundleEntry e = entries.get(name);
        if (e == null) throw new WeightException("no tensor '" + name + "' in checkpoint " + indexFile);
        return FloatTensor.wrap(readFloats(e), intShape(e));
    }

    /** The shape as ints (what {@link FloatTensor} takes); throws when a dimension does not fit. */
    static int[] intShape(BundleEntry e) {
        long[] s = e.shape();
        int[] out = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            if (s[i] > Integer.MAX_VALUE) {
                throw new WeightException("tensor '" + e.name() + "' has dimension " + s[i] + ", more than a Java array holds");
            }
            out[i] = (int) s[i];
        }
        return out;
    }

    /** Total elements of all entries. */
    public long parameterCount() {
        long n = 0;
        for (BundleEntry e : entries.values()) n += Math.max(e.elements(), 0);
        return n;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        arena.close();
    }

    @Override
    public String toString() {
        return "TensorBundle[" + indexFile + ", " + entries.size() + " tensors, " + header.numShards() + " shard(s)]";
    }
}
