package dev.mlm4j.weights.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.tensor.FloatTensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes float32 tensors in the safetensors format, byte for byte as Hugging Face's own writer lays
 * them out: compact JSON header with {@code __metadata__} first, then the tensors in name order,
 * header padded with spaces so the data section starts 8-byte aligned, data little-endian and packed
 * without gaps. {@code {"format": "pt"}} is added to the metadata unless given, so transformers'
 * {@code from_pretrained} accepts the file.
 *
 * <p>Every file is written to a temporary file beside the target, forced to disk and renamed over
 * it atomically: a reader never sees a half-written checkpoint, and a failed write leaves the old file.
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {}

    /** Writes {@code tensors} (any shapes, views allowed) to {@code file} as F32, with {@code metadata} (may be empty). */
    public static void write(Path file, Map<String, FloatTensor> tensors, Map<String, String> metadata) {
        Map<String, FloatTensor> sorted = checked(tensors);
        Map<String, String> meta = new TreeMap<>(metadata);
        meta.putIfAbsent("format", "pt");
        byte[] header = header(sorted, meta);
        atomically(file, ch -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
            writeFully(ch, len);
            writeFully(ch, ByteBuffer.wrap(header));
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (FloatTensor t : sorted.values()) {
                float[] a = t.toArray();
                for (int i = 0; i < a.length; ) {
                    int n = Math.min(a.length - i, buf.capacity() / 4);
                    buf.clear();
                    buf.asFloatBuffer().put(a, i, n);
                    buf.limit(4 * n);
                    writeFully(ch, buf);
                    i += n;
                }
            }
        });
    }

    /**
     * Writes a Hugging Face model folder's weights: one {@code model.safetensors} when they fit in
     * {@code maxShardBytes}, else shards {@code model-00001-of-0000N.safetensors} (name order, each at most
     * {@code maxShardBytes} unless one tensor alone is larger) and {@code model.safetensors.index.json},
     * written last. Returns the file a reader should open (the single file or the index).
     */
    public static Path writeFolder(Path dir, Map<String, FloatTensor> tensors, Map<String, String> metadata, long maxShardBytes) {
        if (maxShardBytes <= 0) throw new IllegalArgumentException("maxShardBytes must be positive: " + maxShardBytes);
        Map<String, FloatTensor> sorted = checked(tensors);
        List<Map<String, FloatTensor>> shards = new ArrayList<>();
        Map<String, FloatTensor> current = new TreeMap<>();
        long currentBytes = 0, total = 0;
        for (var e : sorted.entrySet()) {
            long bytes = 4L * e.getValue().size();
            if (!current.isEmpty() && currentBytes + bytes > maxShardBytes) {
                shards.add(current);
                current = new TreeMap<>();
                currentBytes = 0;
            }
            current.put(e.getKey(), e.getValue());
            currentBytes += bytes;
            total += bytes;
        }
        shards.add(current);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        Path index = dir.resolve(SafetensorsCheckpoint.INDEX_FILE);
        if (shards.size() == 1) {
            Path single = dir.resolve(SafetensorsCheckpoint.SINGLE_FILE);
            write(single, shards.getFirst(), metadata);
            try {
                Files.deleteIfExists(index); // a stale index would shadow the new file
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove the stale " + index, e);
            }
            return single;
        }
        Map<String, String> weightMap = new TreeMap<>();
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            write(dir.resolve(name), shards.get(i), metadata);
            for (String t : shards.get(i).keySet()) weightMap.put(t, name);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("metadata", Map.of("total_size", total));
        root.put("weight_map", weightMap);
        byte[] json;
        try {
            json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        atomically(index, ch -> writeFully(ch, ByteBuffer.wrap(json)));
        return index;
    }

    private static Map<String, FloatTensor> checked(Map<String, FloatTensor> tensors) {
        Map<String, FloatTensor> sorted = new TreeMap<>();
        for (var e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isEmpty() || name.equals("__metadata__")) {
                throw new IllegalArgumentException("invalid tensor name for safetensors: '" + name + "'");
            }
            if (e.getValue() == null) throw new IllegalArgumentException("tensor '" + name + "' is null");
            sorted.put(name, e.getValue());
        }
        return sorted;
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes so the data section is 8-byte aligned. */
    static byte[] header(Map<String, FloatTensor> sorted, Map<String, String> metadata) {
        Map<String, Object> root = new LinkedHashMap<>();
        if (!metadata.isEmpty()) root.put("__metadata__", metadata);
        long offset = 0;
        for (var e : sorted.entrySet()) {
            FloatTensor t = e.getValue();
            long bytes = 4L * t.size();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", "F32");
            info.put("shape", t.shape());
            info.put("data_offsets", new long[] {offset, offset + bytes});
            root.put(e.getKey(), info);
            offset += bytes;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        int padded = (json.length + 7) & ~7;
        byte[] header = new byte[padded];
        System.arraycopy(json, 0, header, 0, json.length);
        for (int i = json.length; i < padded; i++) header[i] = ' ';
        return header;
    }

    private interface Body {
        void write(FileChannel ch) throws IOException;
    }

    private static void atomically(Path file, Body body) {
        Path target = file.toAbsolutePath();
        Path tmp = null;
        try {
            tmp = dev.mlm4j.util.StagingFiles.newFile(target.getParent(), "." + target.getFileName(), ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                body.write(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the write already failed; that failure is the one to report
                }
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }
}
