package dev.mlm4j.kernels;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * A model's linear weights packed once ({@link PackedMatrix}'s panel layout, this machine's {@link PackedMatrix#NR}) and
 * kept in a file beside the model, so a later load reads each one with a single copy from the page cache instead of
 * reading the checkpoint, scanning it for NaN and packing it again. With {@code -Dmlm4j.packedCache.map=true} a load
 * instead maps the file and uses each matrix where it lies (the GEMM reads the mapping: {@link MappedKernels}) — no heap
 * copy, and processes serving the same model share the page cache's one copy of its weights (two bert-base servers: 744
 * instead of 1057 MiB), but a process's first calls are slower until C2 has compiled the mapped tiles (an 82-token
 * fill-mask 2.6–3.0 s instead of 1.7), so copying stays the default (docs/BENCHMARKS.md section 7, run 9). The mapping
 * is released when no matrix of it is reachable any more. The file is an optimisation only: whatever is
 * wrong with it — another NR, another format version, a fingerprint of the source files that no longer matches (the
 * model changed), a checksum that fails (a torn or truncated write, a flipped bit), a shape that differs — the weight is
 * packed from the checkpoint as before and the file is rewritten after the load. Written to a temporary file in the
 * same folder and moved into place, so readers see the old file or the new one, never half of one, and a process that
 * has the old file mapped keeps reading the old file (it must never be changed in place while a model uses it).
 *
 * <pre>
 *   "MLM4JPK1" | version | NR | header length | header: fingerprint, count, (key, in, out, offset, floats, crc32c)… |
 *   header crc32c | data, each matrix at a 64-byte aligned offset, float32 little-endian
 * </pre>
 * When copying, a helper thread copies matrices from the file's last one backward while the load asks for them from
 * the first one on (usually in file order: the file lists them in the order a load asked for them), so the two halves
 * of the ~340 MB of bert-base's copy — allocation, first-touch page faults, checksum — run side by side and meet in
 * the middle (a cold fill-mask's load, docs/BENCHMARKS.md section 7).
 * Not thread-safe: one load uses it.
 */
public final class PackedCache {
    private static final long MAGIC = 0x314b504a344d4c4dL; // "MLM4JPK1" read little-endian
    private static final int VERSION = 1;
    private static final int PREFIX = 8 + 4 + 4 + 4;

    /** Whether matrices read from the file are used where they are mapped ({@code -Dmlm4j.packedCache.map=true}; else copied into the heap). */
    static final boolean MAP = Boolean.getBoolean("mlm4j.packedCache.map");

    private record Entry(int in, int out, long offset, long floats, int crc) {}

    /** One stored matrix's copy, made by whichever thread claims it first: the load's or the helper's. */
    private static final class Slot {
        final Entry entry;
        final AtomicBoolean claimed = new AtomicBoolean();
        final CompletableFuture<PackedMatrix> copied = new CompletableFuture<>();

        Slot(Entry entry) {
            this.entry = entry;
        }
    }

    /** The file's matrices, and (when mapping) the whole file mapped through the channel that read their header. */
    private record Stored(Map<String, Entry> entries, MemorySegment mapping) {
        static final Stored NONE = new Stored(Map.of(), null);
    }

    private final Path file;
    private final String fingerprint;
    private final Map<String, Entry> stored;                           // what the file holds; empty when unusable
    private final MemorySegment mapping;                               // the file, read-only, or null
    private final Map<String, PackedMatrix> used = new LinkedHashMap<>(); // every matrix this load asked for
    private final Map<Entry, Slot> slots = new HashMap<>();            // copying: each stored matrix's copy
    private final AtomicBoolean closed = new AtomicBoolean();          // the load is over: the helper stops claiming
    private int hits, misses;

    private PackedCache(Path file, String fingerprint, Stored stored, boolean helper) {
        this.file = file;
        this.fingerprint = fingerprint;
        this.stored = stored.entries();
        this.mapping = stored.mapping();
        if (mapping != null || this.stored.isEmpty()) return;
        List<Slot> backward = new ArrayList<>();
        for (Entry e : this.stored.values()) {
            Slot slot = new Slot(e);
            slots.put(e, slot);
            backward.add(slot);
        }
        if (!helper || backward.size() < 2) return;
        backward.sort(Comparator.comparingLong((Slot slot) -> slot.entry.offset()).reversed());
        Thread.ofPlatform().daemon().name("mlm4j-packed-copy").start(() -> {
            // stops at the first matrix the load claimed: it asks in file order, so the rest are its
            for (Slot slot : backward) if (closed.get() || !copy(slot)) return;
        });
    }

    /**
     * The cache in {@code file} for the source identified by {@code fingerprint} (e.g. its files' names, sizes and
     * modification times): the file's matrices when its header is intact and its fingerprint and NR match, else none.
     */
    public static PackedCache open(Path file, String fingerprint) {
        return open(file, fingerprint, MAP);
    }

    /** {@link #open(Path, String)}, the matrices read from the file mapped ({@code map}) or copied into the heap. */
    static PackedCache open(Path file, String fingerprint, boolean map) {
        return open(file, fingerprint, map, true);
    }

    /** {@link #open(Path, String, boolean)}, with or without the helper thread that copies from the file's end. */
    static PackedCache open(Path file, String fingerprint, boolean map, boolean helper) {
        return new PackedCache(file, fingerprint, readHeader(file, fingerprint, map), helper);
    }

    private static Stored readHeader(Path file, String fingerprint, boolean map) {
        if (!Files.isRegularFile(file)) return Stored.NONE;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer prefix = read(ch, 0, PREFIX);
            if (prefix == null || prefix.getLong() != MAGIC || prefix.getInt() != VERSION || prefix.getInt() != PackedMatrix.NR) return Stored.NONE;
            int length = prefix.getInt();
            if (length < 0 || PREFIX + (long) length + 4 > size) return Stored.NONE;
            ByteBuffer header = read(ch, PREFIX, length + 4);
            if (header == null) return Stored.NONE;
            CRC32C crc = new CRC32C();
            crc.update(header.array(), 0, length);
            if ((int) crc.getValue() != header.getInt(length)) return Stored.NONE;
            header.limit(length);
            if (!fingerprint.equals(string(header))) return Stored.NONE;
            int count = header.getInt();
            Map<String, Entry> entries = new HashMap<>();
            for (int i = 0; i < count; i++) {
                String key = string(header);
                Entry e = new Entry(header.getInt(), header.getInt(), header.getLong(), header.getLong(), header.getInt());
                if (e.offset() < 0 || e.floats() < 0 || e.offset() > size - 4 * e.floats()) return Stored.NONE; // truncated
                entries.put(key, e);
            }
            // mapped whole through this channel, so the matrices are the ones this header describes even if the file is
            // replaced meanwhile; pages are read as the GEMM (or the checksum) first touches them
            MemorySegment mapping = map && !entries.isEmpty() ? ch.map(FileChannel.MapMode.READ_ONLY, 0, size, Arena.ofAuto()) : null;
            return new Stored(entries, mapping);
        } catch (IOException | RuntimeException e) {
            return Stored.NONE; // unreadable or malformed: packed afresh and rewritten
        }
    }

    private static ByteBuffer read(FileChannel ch, long position, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) if (ch.read(b, position + b.position()) < 0) return null;
        return b.flip();
    }

    private static String string(ByteBuffer b) {
        byte[] s = new byte[b.getInt()];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    /**
     * The packed weight called {@code key}, {@code (out, in)}: read from the file when it holds it intact, else made
     * by {@code pack} (and then written with the others by {@link #save}).
     */
    public PackedMatrix get(String key, int in, int out, Supplier<PackedMatrix> pack) {
        PackedMatrix m = null;
        Entry e = stored.get(key);
        if (e != null && e.in() == in && e.out() == out && e.floats() == PackedMatrix.packedSize(in, out)) m = readMatrix(e);
        if (m != null) {
            hits++;
        } else {
            misses++;
            m = pack.get();
        }
        used.put(key, m);
        return m;
    }

    /** The matrix, if its checksum holds: where it lies in the file's mapping, or (not mapping) copied into the heap. */
    private PackedMatrix readMatrix(Entry e) {
        if (mapping == null) {
            Slot slot = slots.get(e);
            copy(slot); // unless the helper has claimed it
            try {
                return slot.copied.join();
            } catch (CompletionException x) {
                if (x.getCause() instanceof Error error) throw error; // e.g. the heap ran out in the helper
                return null;
            }
        }
        try {
            MemorySegment bytes = mapping.asSlice(e.offset(), 4 * e.floats());
            return intact(bytes, e) ? PackedMatrix.ofMapped(e.in(), e.out(), bytes) : null;
        } catch (RuntimeException x) {
            return null;
        }
    }

    /** Copies the slot's matrix on this thread if no other thread has claimed it; whether it did. */
    private boolean copy(Slot slot) {
        if (!slot.claimed.compareAndSet(false, true)) return false;
        try {
            slot.copied.complete(copyMatrix(slot.entry));
        } catch (Throwable t) {
            slot.copied.completeExceptionally(t);
        }
        return true;
    }

    /**
     * Ends this load's use of the file: the helper thread claims no more matrices (a load that failed half-way stops
     * it here). Matrices already returned are unaffected.
     */
    public void close() {
        closed.set(true);
    }

    /** The matrix's floats, mapped for this copy alone (so the file's pages do not stay resident), if its checksum holds. */
    private PackedMatrix copyMatrix(Entry e) {
        float[] data = new float[(int) e.floats()];
        try (Arena once = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment bytes = ch.map(FileChannel.MapMode.READ_ONLY, e.offset(), 4 * e.floats(), once);
            if (!intact(bytes, e)) return null;
            MemorySegment.copy(bytes, PackedMatrix.F32_LE, 0, data, 0, data.length);
            return PackedMatrix.ofPacked(e.in(), e.out(), data);
        } catch (IOException | RuntimeException x) {
            return null;
        }
    }

    /** Whether the matrix's bytes in the file have the CRC-32C its header entry recorded. */
    private static boolean intact(MemorySegment bytes, Entry e) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.asByteBuffer());
        return (int) crc.getValue() == e.crc();
    }

    /** Matrices read from the file so far. */
    public int hits() {
        return hits;
    }

    /** Matrices packed afresh so far (absent, stale or corrupt in the file). */
    public int misses() {
        return misses;
    }

    /**
     * Writes every matrix this load used into the file when any of them had to be packed afresh (or the file holds
     * others); quietly does nothing when the folder is not writable — the next load packs again.
     */
    public void save() {
        if (misses == 0 && stored.size() == used.size()) return;
        Path tmp = null;
        try {
            tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
            tmp.toFile().deleteOnExit(); // a process stopped while writing leaves no half-written copy behind
            write(tmp);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            // a cache we cannot write is a cache we do without
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // left behind in the model's folder; harmless
                }
            }
        }
    }

    private void write(Path tmp) throws IOException {
        byte[] fp = fingerprint.getBytes(StandardCharsets.UTF_8);
        int length = 4 + fp.length + 4;
        for (String key : used.keySet()) length += 4 + key.getBytes(StandardCharsets.UTF_8).length + 4 + 4 + 8 + 8 + 4;
        long offset = align(PREFIX + (long) length + 4);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(PREFIX + length + 4).order(ByteOrder.LITTLE_ENDIAN);
            header.putLong(MAGIC).putInt(VERSION).putInt(PackedMatrix.NR).putInt(length).putInt(fp.length).put(fp).putInt(used.size());
            ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (Map.Entry<String, PackedMatrix> u : used.entrySet()) {
                float[] data = u.getValue().data() != null ? u.getValue().data() : u.getValue().toArray(); // a mapped one copied
                int crc = writeFloats(ch, offset, data, chunk);
                byte[] key = u.getKey().getBytes(StandardCharsets.UTF_8);
                header.putInt(key.length).put(key).putInt(u.getValue().in()).putInt(u.getValue().out()).putLong(offset).putLong(data.length).putInt(crc);
                offset = align(offset + 4L * data.length);
            }
            CRC32C crc = new CRC32C();
            crc.update(header.array(), PREFIX, length);
            header.putInt((int) crc.getValue()).flip();
            while (header.hasRemaining()) ch.write(header, header.position());
        }
    }

    /** Writes {@code data} at {@code position} through {@code chunk}, returning its CRC-32C. */
    private static int writeFloats(FileChannel ch, long position, float[] data, ByteBuffer chunk) throws IOException {
        CRC32C crc = new CRC32C();
        FloatBuffer floats = chunk.clear().asFloatBuffer(); // the whole chunk, whatever the last call left of it
        for (int from = 0; from < data.length; ) {
            int n = Math.min(floats.capacity(), data.length - from);
            floats.clear();
            floats.put(data, from, n);
            chunk.clear().limit(4 * n);
            crc.update(chunk);
            chunk.clear().limit(4 * n);
            while (chunk.hasRemaining()) position += ch.write(chunk, position);
            from += n;
        }
        return (int) crc.getValue();
    }

    private static long align(long offset) {
        return (offset + 63) & ~63L;
    }
}
