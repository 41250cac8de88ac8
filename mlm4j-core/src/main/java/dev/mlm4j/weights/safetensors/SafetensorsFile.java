package dev.mlm4j.weights.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.weights.DType;
import dev.mlm4j.weights.WeightException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code .safetensors} file: the header validated as untrusted input, the data section
 * memory-mapped, tensors decoded to float32 on demand.
 *
 * <p>Layout (the published format): 8 bytes little-endian unsigned header length {@code N}; {@code N}
 * bytes of UTF-8 JSON {@code {"name": {"dtype", "shape", "data_offsets": [begin, end]}, ...,
 * "__metadata__": {string: string}}}, possibly padded with spaces; then the data section, offsets
 * relative to its start, little-endian, row-major. Checked here before anything is mapped: the header
 * length against a limit and the file size; JSON well-formed without duplicate keys; every dtype known;
 * dimensions non-negative; element count × element size (overflow-checked) equal to {@code end − begin};
 * offsets inside the data section; and, as the format requires, the tensors tiling the data section
 * exactly (no overlaps, no holes).
 */
final class SafetensorsFile implements AutoCloseable {
    /** Headers larger than this are refused (the reference implementation's limit is the same). */
    static final long MAX_HEADER_BYTES = 100_000_000;

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** A tensor as the header describes it; {@code dtype} is null for a valid safetensors type mlm4j has no name for. */
    record Tensor(String name, String dtypeName, DType dtype, int[] shape, long begin, long end) {
        long elements() {
            long n = 1;
            for (int d : shape) n *= d;
            return n;
        }
    }

    final Path path;
    /** Tensors by their name in the file, in data order. */
    final Map<String, Tensor> tensors;
    final Map<String, String> metadata;
    private final Arena arena;
    private final MemorySegment data;

    private SafetensorsFile(Path path, Map<String, Tensor> tensors, Map<String, String> metadata, Arena arena, MemorySegment data) {
        this.path = path;
        this.tensors = tensors;
        this.metadata = metadata;
        this.arena = arena;
        this.data = data;
    }

    static SafetensorsFile open(Path path) {
        if (!Files.isRegularFile(path)) throw new WeightException("no safetensors file at " + path);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new WeightException(path + " is " + size + " bytes: too short for a safetensors file (its header length alone takes 8)");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0, path);
            long headerLength = len.flip().getLong(); // unsigned: a negative long is beyond any limit
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw new WeightException(path + " declares a header of " + Long.toUnsignedString(headerLength)
                        + " bytes, over the " + MAX_HEADER_BYTES + "-byte limit (corrupt, or not a safetensors file)");
            }
            if (headerLength > size - 8) {
                throw new WeightException(path + " declares a header of " + headerLength + " bytes but the file has only "
                        + (size - 8) + " after the length (truncated, or not a safetensors file)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(ch, header, 8, path);
            long dataLength = size - 8 - headerLength;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, Tensor> tensors = parseHeader(path, header.array(), dataLength, metadata);
            Arena arena = Arena.ofShared();
            try {
                MemorySegment data = ch.map(FileChannel.MapMode.READ_ONLY, 8 + headerLength, dataLength, arena);
                return new SafetensorsFile(path, tensors, Collections.unmodifiableMap(metadata), arena, data);
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        } catch (IOException e) {
            throw new WeightException("cannot read " + path + ": " + e, e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path path) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf, position + buf.position()) < 0) throw new WeightException(path + " ended while reading its header");
        }
    }

    static Map<String, Tensor> parseHeader(Path path, byte[] header, long dataLength, Map<String, String> metadata) {
        // the format: the header begins with '{' and may be padded at its end with spaces (0x20), nothing else
        int end = header.length;
        while (end > 0 && header[end - 1] == ' ') end--;
        if (end == 0 || header[0] != '{') {
            throw new WeightException("the header of " + path + " does not begin with '{' (the format requires a JSON object first)");
        }
        JsonNode root;
        long after;
        try (JsonParser p = JSON.getFactory().createParser(header, 0, end)) {
            root = JSON.readTree(p);
            after = p.getCurrentLocation().getByteOffset();
        } catch (JsonProcessingException e) {
            throw new WeightException("the header of " + path + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new WeightException("cannot read the header of " + path + ": " + e.getMessage(), e);
        }
        if (after != end || header[end - 1] != '}') {
            throw new WeightException("the header of " + path + " has bytes after its JSON object (at offset " + after + " of "
                    + header.length + "; the format allows only spaces there)");
        }
        if (root == null || !root.isObject()) {
            throw new WeightException("the header of " + path + " is not a JSON object");
        }
        List<Tensor> list = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode v = field.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) throw new WeightException(path + ": __metadata__ is not a JSON object");
                for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = m.next();
                    if (!e.getValue().isTextual()) {
                        throw new WeightException(path + ": __metadata__ value of '" + e.getKey() + "' is not a string: " + e.getValue());
                    }
                    metadata.put(e.getKey(), e.getValue().asText());
                }
                continue;
            }
            list.add(tensor(path, name, v, dataLength));
        }
        // the tensors must tile the data section: sorted by offset, each begins where the previous ended
        list.sort(Comparator.comparingLong(Tensor::begin).thenComparingLong(Tensor::end));
        long at = 0;
        Tensor previous = null;
        for (Tensor t : list) {
            if (t.begin() < at) {
                throw new WeightException(path + ": tensors '" + previous.name() + "' [" + previous.begin() + ", " + previous.end()
                        + ") and '" + t.name() + "' [" + t.begin() + ", " + t.end() + ") overlap");
            }
            if (t.begin() > at) {
                throw new WeightException(path + ": bytes [" + at + ", " + t.begin() + ") of the data section belong to no tensor"
                        + " (a hole before '" + t.name() + "'; the format allows none)");
            }
            at = t.end();
            previous = t;
        }
        if (at != dataLength) {
            throw new WeightException(path + ": the data section has " + dataLength + " bytes but the tensors cover " + at
                    + " (trailing bytes belong to no tensor)");
        }
        Map<String, Tensor> byName = new LinkedHashMap<>();
        for (Tensor t : list) byName.put(t.name(), t);
        return byName;
    }

    private static Tensor tensor(Path path, String name, JsonNode v, long dataLength) {
        String where = path + ": tensor '" + name + "'";
        if (!v.isObject()) throw new WeightException(where + " is not described by a JSON object");
        JsonNode dt = v.get("dtype"), shapeNode = v.get("shape"), offsets = v.get("data_offsets");
        if (dt == null || !dt.isTextual()) throw new WeightException(where + " has no dtype");
        SafetensorsDType type = SafetensorsDType.byName(dt.asText());
        if (type == null) throw new WeightException(where + " has unknown dtype '" + dt.asText() + "'");
        if (shapeNode == null || !shapeNode.isArray()) throw new WeightException(where + " has no shape array");
        int[] shape = new int[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0 || d.asLong() > Integer.MAX_VALUE) {
                throw new WeightException(where + " has an invalid dimension " + d + " in shape " + shapeNode);
            }
            shape[i] = (int) d.asLong();
            try {
                elements = Math.multiplyExact(elements, shape[i]);
            } catch (ArithmeticException e) {
                throw new WeightException(where + ": shape " + shapeNode + " has more elements than a long counts");
            }
        }
        long bytes;
        try {
            long bits = Math.multiplyExact(elements, type.bits);
            if (bits % 8 != 0) throw new WeightException(where + ": " + elements + " elements of " + type + " do not fill whole bytes");
            bytes = bits / 8;
        } catch (ArithmeticException e) {
            throw new WeightException(where + ": shape " + shapeNode + " of " + type + " overflows a byte count");
        }
        if (offsets == null || !offsets.isArray() || offsets.size() != 2) {
            throw new WeightException(where + " has no data_offsets [begin, end]");
        }
        long[] be = new long[2];
        for (int i = 0; i < 2; i++) {
            JsonNode o = offsets.get(i);
            if (!o.isIntegralNumber() || !o.canConvertToLong() || o.asLong() < 0) {
                throw new WeightException(where + " has an invalid data offset " + o);
            }
            be[i] = o.asLong();
        }
        if (be[0] > be[1]) throw new WeightException(where + ": data_offsets " + offsets + " begin after they end");
        if (be[1] > dataLength) {
            throw new WeightException(where + ": data_offsets " + offsets + " lie past the end of the data section ("
                    + dataLength + " bytes; truncated file?)");
        }
        if (be[1] - be[0] != bytes) {
            throw new WeightException(where + " has shape " + shapeNode + " of " + type + " (" + bytes + " bytes) but data_offsets "
                    + offsets + " span " + (be[1] - be[0]));
        }
        return new Tensor(name, type.name(), type.dtype, shape, be[0], be[1]);
    }

    /**
     * The tensor as float32 (F32 copied, F16 and BF16 widened exactly), into the first elements of {@code buffer}
     * when it is large enough, else into a new array.
     */
    float[] floats(Tensor t, String presentedAs, float[] buffer) {
        if (t.dtype() != DType.F32 && t.dtype() != DType.F16 && t.dtype() != DType.BF16) {
            throw new WeightException("tensor '" + presentedAs + "' in " + path + " is " + t.dtypeName()
                    + "; only F32, F16 and BF16 load as float32");
        }
        long n = t.elements();
        if (n > Integer.MAX_VALUE - 16) {
            throw new WeightException("tensor '" + presentedAs + "' in " + path + " " + Arrays.toString(t.shape())
                    + " is too large to load into one array");
        }
        float[] out = buffer != null && buffer.length >= n ? buffer : new float[(int) n];
        int count = (int) n;
        if (t.dtype() == DType.F32) {
            MemorySegment.copy(data, F32_LE, t.begin(), out, 0, count);
            return out;
        }
        short[] bits = new short[count];
        MemorySegment.copy(data, I16_LE, t.begin(), bits, 0, count);
        if (t.dtype() == DType.F16) {
            for (int i = 0; i < count; i++) out[i] = Float.float16ToFloat(bits[i]);
        } else {
            for (int i = 0; i < count; i++) out[i] = Float.intBitsToFloat((bits[i] & 0xffff) << 16);
        }
        return out;
    }

    @Override
    public void close() {
        arena.close();
    }
}
