package dev.mlm4j.weights.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.mlm4j.weights.DType;
import dev.mlm4j.weights.WeightException;
import dev.mlm4j.weights.onnx.OnnxProto.ModelProto;
import dev.mlm4j.weights.onnx.OnnxProto.StringStringEntryProto;
import dev.mlm4j.weights.onnx.OnnxProto.TensorProto;

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
import java.util.HashMap;
import java.util.Map;

/**
 * One ONNX model file, memory-mapped and parsed, and the decoding of its tensors.
 *
 * <p>The file is mapped once and parsed with protobuf's aliasing on, so every {@code raw_data} field
 * (the weights, ~99% of the file) is a view of the mapping rather than a heap copy: parsing a 90 MB
 * model takes ~0.1 s and ~10 MB of heap. Data stored outside the file ({@code data_location = EXTERNAL})
 * is mapped from the named file, which must lie in the model's directory.
 */
final class OnnxFile implements AutoCloseable {
    /** ONNX's element type codes ({@code TensorProto.DataType}) that mlm4j names. */
    static final int FLOAT = 1, UINT8 = 2, INT8 = 3, INT32 = 6, INT64 = 7, BOOL = 9, FLOAT16 = 10, DOUBLE = 11, BFLOAT16 = 16;

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final Path path;
    final ModelProto model;
    private final Arena arena;
    private final Map<Path, MemorySegment> external = new HashMap<>();

    private OnnxFile(Path path, ModelProto model, Arena arena) {
        this.path = path;
        this.model = model;
        this.arena = arena;
    }

    static OnnxFile open(Path path) {
        if (!Files.isRegularFile(path)) throw new WeightException("no ONNX model file at " + path);
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                // protobuf messages are limited to 2 GB; bigger ONNX models keep their weights as external data
                throw new WeightException(path + " is " + size + " bytes, more than an ONNX protobuf file can be (2 GB)");
            }
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            CodedInputStream in = UnsafeByteOperations.unsafeWrap(mapped.asByteBuffer()).newCodedInput();
            in.enableAliasing(true);
            in.setSizeLimit(Integer.MAX_VALUE);
            ModelProto model = ModelProto.parseFrom(in);
            if (!model.hasGraph()) {
                throw new WeightException(path + " holds no ONNX graph (empty, truncated before the graph, or not an ONNX model)");
            }
            return new OnnxFile(path, model, arena);
        } catch (InvalidProtocolBufferException e) {
            arena.close();
            throw new WeightException(path + " is not a readable ONNX model (truncated or corrupt): " + e.getMessage(), e);
        } catch (IOException e) {
            arena.close();
            throw new WeightException("cannot read " + path + ": " + e, e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** The mlm4j element type of an ONNX data type code, or null for one mlm4j does not name. */
    static DType dtype(int onnxType) {
        return switch (onnxType) {
            case FLOAT -> DType.F32;
            case FLOAT16 -> DType.F16;
            case BFLOAT16 -> DType.BF16;
            case DOUBLE -> DType.F64;
            case INT32 -> DType.I32;
            case INT64 -> DType.I64;
            case INT8 -> DType.I8;
            case UINT8 -> DType.U8;
            case BOOL -> DType.BOOL;
            default -> null;
        };
    }

    static String typeName(int onnxType) {
        TensorProto.DataType t = TensorProto.DataType.forNumber(onnxType);
        return t == null ? "data type " + onnxType : t.name();
    }

    /** Element count of a tensor, checked: dimensions non-negative, product within a Java array. */
    static int elements(TensorProto t) {
        long n = 1;
        for (long d : t.getDimsList()) {
            if (d < 0) throw new WeightException("tensor '" + t.getName() + "' has a negative dimension " + t.getDimsList());
            n *= d;
            if (n > Integer.MAX_VALUE - 16) {
                throw new WeightException("tensor '" + t.getName() + "' " + t.getDimsList() + " is too large to load into one array");
            }
        }
        return (int) n;
    }

    /** The tensor's elements as float32 (FLOAT, FLOAT16 and BFLOAT16; the latter two widened), row-major. */
    float[] floats(TensorProto t) {
        return floats(t, null);
    }

    /** {@link #floats(TensorProto)} into the first elements of {@code buffer} when it is large enough (else a new array). */
    float[] floats(TensorProto t, float[] buffer) {
        int n = elements(t);
        int type = t.getDataType();
        if (type != FLOAT && type != FLOAT16 && type != BFLOAT16) {
            throw new WeightException("tensor '" + t.getName() + "' in " + path + " is " + typeName(type)
                    + "; only FLOAT, FLOAT16 and BFLOAT16 load as float32");
        }
        int width = type == FLOAT ? 4 : 2;
        float[] out = buffer != null && buffer.length >= n ? buffer : new float[n];
        MemorySegment bytes = bytes(t, (long) n * width);
        if (bytes != null) {
            if (type == FLOAT) {
                MemorySegment.copy(bytes, F32_LE, 0, out, 0, n);
            } else {
                for (int i = 0; i < n; i++) out[i] = widen(type, bytes.get(I16_LE, 2L * i));
            }
        } else if (type == FLOAT && t.getFloatDataCount() > 0) {
            requireCount(t, "float_data", t.getFloatDataCount(), n);
            for (int i = 0; i < n; i++) out[i] = t.getFloatData(i);
        } else if (type != FLOAT && t.getInt32DataCount() > 0) {
            // FLOAT16/BFLOAT16 in int32_data: one element's bits per int32
            requireCount(t, "int32_data", t.getInt32DataCount(), n);
            for (int i = 0; i < n; i++) out[i] = widen(type, (short) t.getInt32Data(i));
        } else if (n > 0) {
            throw new WeightException("tensor '" + t.getName() + "' in " + path + " " + t.getDimsList() + " holds no data");
        }
        return out;
    }

    /**
     * Checks, without decoding, that a float or 8-bit integer tensor's stored data is exactly as long as its shape says
     * (raw, external or typed field), so a corrupt initializer fails when the file is opened.
     */
    void checkData(TensorProto t) {
        int n = elements(t);
        int type = t.getDataType();
        int width = switch (type) {
            case FLOAT -> 4;
            case FLOAT16, BFLOAT16 -> 2;
            case INT8, UINT8 -> 1;
            default -> 0;
        };
        if (width == 0) return;
        MemorySegment bytes = bytes(t, (long) n * width);
        if (bytes != null) return;
        if (type == FLOAT && t.getFloatDataCount() > 0) requireCount(t, "float_data", t.getFloatDataCount(), n);
        else if (type != FLOAT && t.getInt32DataCount() > 0) requireCount(t, "int32_data", t.getInt32DataCount(), n);
        else if (n > 0) throw new WeightException("tensor '" + t.getName() + "' in " + path + " " + t.getDimsList() + " holds no data");
    }

    /**
     * An INT8 or UINT8 tensor's elements as ints, row-major: from {@code raw_data} (or external data), else from
     * {@code int32_data}, where ONNX keeps 8-bit integers one per int32.
     */
    int[] bytesAsInts(TensorProto t) {
        int n = elements(t);
        int type = t.getDataType();
        if (type != INT8 && type != UINT8) {
            throw new WeightException("tensor '" + t.getName() + "' in " + path + " is " + typeName(type) + ", not INT8 or UINT8");
        }
        int[] out = new int[n];
        MemorySegment bytes = bytes(t, n);
        if (bytes != null) {
            for (int i = 0; i < n; i++) {
                byte b = bytes.get(ValueLayout.JAVA_BYTE, i);
                out[i] = type == INT8 ? b : b & 0xff;
            }
        } else if (n > 0) {
            requireCount(t, "int32_data", t.getInt32DataCount(), n);
            for (int i = 0; i < n; i++) out[i] = type == INT8 ? (byte) t.getInt32Data(i) : t.getInt32Data(i) & 0xff;
        }
        return out;
    }

    /**
     * A quantized tensor as float32, as ONNX's {@code DequantizeLinear} computes it: {@code (float) (q - zeroPoint) · scale},
     * with one scale and zero point (each a one-element tensor) for all elements, or one per index along {@code axis}
     * (-1: per tensor). {@code zeroPoint} null is 0. Into {@code buffer} when it is large enough.
     */
    float[] dequantized(TensorProto q, TensorProto scale, TensorProto zeroPoint, int axis, float[] buffer) {
        int n = elements(q);
        int[] values = bytesAsInts(q);
        float[] scales = floats(scale);
        int[] zeros = zeroPoint == null ? new int[] {0} : bytesAsInts(zeroPoint);
        int inner = 1, along = 1;
        if (axis >= 0) {
            along = (int) q.getDims(axis);
            for (int d = axis + 1; d < q.getDimsCount(); d++) inner *= (int) q.getDims(d);
        }
        float[] out = buffer != null && buffer.length >= n ? buffer : new float[n];
        for (int i = 0; i < n; i++) {
            int c = axis < 0 ? 0 : (i / inner) % along;
            out[i] = (values[i] - zeros[zeros.length == 1 ? 0 : c]) * scales[scales.length == 1 ? 0 : c];
        }
        return out;
    }

    /** An integer tensor's elements (INT64 or INT32), e.g. a shape constant; null when it is not integral. */
    long[] longs(TensorProto t) {
        int n = elements(t);
        int type = t.getDataType();
        if (type != INT64 && type != INT32) return null;
        int width = type == INT64 ? 8 : 4;
        long[] out = new long[n];
        MemorySegment bytes = bytes(t, (long) n * width);
        if (bytes != null) {
            for (int i = 0; i < n; i++) {
                out[i] = type == INT64
                        ? bytes.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8L * i)
                        : bytes.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4L * i);
            }
        } else if (type == INT64) {
            requireCount(t, "int64_data", t.getInt64DataCount(), n);
            for (int i = 0; i < n; i++) out[i] = t.getInt64Data(i);
        } else {
            requireCount(t, "int32_data", t.getInt32DataCount(), n);
            for (int i = 0; i < n; i++) out[i] = t.getInt32Data(i);
        }
        return out;
    }

    private void requireCount(TensorProto t, String field, int have, int want) {
        if (have != want) {
            throw new WeightException("tensor '" + t.getName() + "' in " + path + " has shape " + t.getDimsList()
                    + " (" + want + " elements) but " + have + " values in " + field);
        }
    }

    private static float widen(int type, short bits) {
        return type == FLOAT16 ? Float.float16ToFloat(bits) : Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /**
     * The tensor's little-endian bytes when stored as {@code raw_data} or externally, checked to be
     * exactly {@code expected} long; null when the data is in a typed field instead.
     */
    private MemorySegment bytes(TensorProto t, long expected) {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) return externalBytes(t, expected);
        if (!t.hasRawData()) return null;
        ByteString raw = t.getRawData();
        if (raw.size() != expected) {
            throw new WeightException("tensor '" + t.getName() + "' in " + path + " has shape " + t.getDimsList()
                    + " of " + typeName(t.getDataType()) + " (" + expected + " bytes) but " + raw.size() + " bytes of raw_data");
        }
        return MemorySegment.ofBuffer(raw.asReadOnlyByteBuffer());
    }

    private MemorySegment externalBytes(TensorProto t, long expected) {
        String location = null;
        long offset = 0, length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            try {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = Long.parseLong(e.getValue());
                    case "length" -> length = Long.parseLong(e.getValue());
                    default -> { }
                }
            } catch (NumberFormatException x) {
                throw new WeightException("tensor '" + t.getName() + "' in " + path + ": external_data " + e.getKey()
                        + " is not a number: '" + e.getValue() + "'");
            }
        }
        if (location == null) {
            throw new WeightException("tensor '" + t.getName() + "' in " + path + " is stored externally but names no location");
        }
        Path dir = path.toAbsolutePath().getParent();
        Path file = dir.resolve(location).normalize();
        if (Path.of(location).isAbsolute() || !file.startsWith(dir)) {
            throw new WeightException("tensor '" + t.getName() + "' in " + path + " points outside the model's directory: '" + location + "'");
        }
        if (length < 0) length = expected;
        if (length != expected) {
            throw new WeightException("tensor '" + t.getName() + "' in " + path + " has shape " + t.getDimsList()
                    + " (" + expected + " bytes) but its external data is " + length + " bytes");
        }
        MemorySegment whole = mapExternal(file, t);
        if (offset < 0 || offset > whole.byteSize() - length) {
            throw new WeightException("tensor '" + t.getName() + "' in " + path + ": bytes [" + offset + ", " + (offset + length)
                    + ") lie past the end of " + file + " (" + whole.byteSize() + " bytes)");
        }
        return whole.asSlice(offset, length);
    }

    private synchronized MemorySegment mapExternal(Path file, TensorProto t) {
        MemorySegment seg = external.get(file);
        if (seg != null) return seg;
        if (!Files.isRegularFile(file)) {
            throw new WeightException("tensor '" + t.getName() + "' in " + path + " is stored in " + file + ", which does not exist");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        } catch (IOException e) {
            throw new WeightException("cannot read " + file + " (external data of " + path + "): " + e, e);
        }
        external.put(file, seg);
        return seg;
    }

    static String dims(TensorProto t) {
        return Arrays.toString(t.getDimsList().stream().mapToLong(Long::longValue).toArray());
    }

    @Override
    public void close() {
        arena.close();
    }
}
