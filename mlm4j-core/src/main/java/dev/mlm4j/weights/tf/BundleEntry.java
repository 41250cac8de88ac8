package dev.mlm4j.weights.tf;

import dev.mlm4j.weights.DType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where one tensor lives in a bundle: a {@code BundleEntryProto} (tensorflow/core/protobuf/tensor_bundle.proto)
 * under the tensor's TensorFlow name — {@code dtype = 1} (enum DataType), {@code shape = 2}
 * (TensorShapeProto: {@code dim = 2} {size = 1, name = 2}, {@code unknown_rank = 3}), {@code shard_id = 3},
 * {@code offset = 4}, {@code size = 5} (bytes in the data file), {@code crc32c = 6} (fixed32, the masked
 * CRC-32C of those bytes), {@code slices = 7} (set only for partitioned variables, whose data lives under
 * other keys).
 *
 * @param name      the TensorFlow variable name, e.g. {@code bert/encoder/layer_0/attention/self/query/kernel}
 * @param dataType  TensorFlow's DataType enum value (1 = DT_FLOAT)
 * @param shape     dimensions in TensorFlow's layout (a Dense kernel is {@code [in, out]})
 * @param maskedCrc the stored, masked CRC-32C of the tensor's bytes
 * @param slices    number of slices of a partitioned variable (0 for an ordinary tensor)
 */
public record BundleEntry(String name, int dataType, long[] shape, int shardId, long offset, long size,
                          int maskedCrc, int slices) {

    // tensorflow/core/framework/types.proto
    static final int DT_FLOAT = 1, DT_DOUBLE = 2, DT_INT32 = 3, DT_UINT8 = 4, DT_INT8 = 6, DT_STRING = 7,
            DT_INT64 = 9, DT_BOOL = 10, DT_BFLOAT16 = 14, DT_HALF = 19, DT_VARIANT = 21;

    private static final String[] TYPE_NAMES = {"DT_INVALID", "DT_FLOAT", "DT_DOUBLE", "DT_INT32", "DT_UINT8",
            "DT_INT16", "DT_INT8", "DT_STRING", "DT_COMPLEX64", "DT_INT64", "DT_BOOL", "DT_QINT8", "DT_QUINT8",
            "DT_QINT32", "DT_BFLOAT16", "DT_QINT16", "DT_QUINT16", "DT_UINT16", "DT_COMPLEX128", "DT_HALF",
            "DT_RESOURCE", "DT_VARIANT", "DT_UINT32", "DT_UINT64"};

    public BundleEntry {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The element type in mlm4j's terms, or null for types it has no equivalent of (strings, complex, ...). */
    public DType dtype() {
        return switch (dataType) {
            case DT_FLOAT -> DType.F32;
            case DT_HALF -> DType.F16;
            case DT_BFLOAT16 -> DType.BF16;
            case DT_DOUBLE -> DType.F64;
            case DT_INT32 -> DType.I32;
            case DT_INT64 -> DType.I64;
            case DT_INT8 -> DType.I8;
            case DT_UINT8 -> DType.U8;
            case DT_BOOL -> DType.BOOL;
            default -> null;
        };
    }

    /** True for the types {@link TensorBundle#readFloats} converts: float32, float16, bfloat16, float64. */
    public boolean isFloatingPoint() {
        DType t = dtype();
        return t == DType.F32 || t == DType.F16 || t == DType.BF16 || t == DType.F64;
    }

    /** TensorFlow's name of the element type, e.g. {@code DT_FLOAT}. */
    public String typeName() {
        return typeName(dataType);
    }

    static String typeName(int dataType) {
        return dataType >= 0 && dataType < TYPE_NAMES.length ? TYPE_NAMES[dataType] : "DataType(" + dataType + ")";
    }

    /** Number of elements, or -1 when it does not fit a long. */
    public long elements() {
        long n = 1;
        for (long d : shape) {
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                return -1;
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return name + " " + typeName() + Arrays.toString(shape) + " shard " + shardId + " @" + offset + "+" + size;
    }

    /** Decodes the entry stored under {@code name}; rejects shapes TensorFlow itself would call invalid. */
    static BundleEntry parse(String name, byte[] value) throws ProtoReader.Malformed {
        int dataType = 0, shardId = 0, crc = 0, slices = 0;
        long offset = 0, size = 0;
        List<Long> dims = new ArrayList<>();
        ProtoReader r = new ProtoReader(value);
        while (r.next()) {
            switch (r.field()) {
                case 1 -> dataType = r.int32();
                case 2 -> {
                    ProtoReader s = r.message();
                    while (s.next()) {
                        switch (s.field()) {
                            case 2 -> {
                                ProtoReader d = s.message();
                                long dim = 0;
                                while (d.next()) {
                                    if (d.field() == 1) dim = d.int64();
                                    else d.skip();
                                }
                                dims.add(dim);
                            }
                            case 3 -> {
                                if (s.int32() != 0) throw new ProtoReader.Malformed("shape of unknown rank");
                            }
                            default -> s.skip();
                        }
                    }
                }
                case 3 -> shardId = r.int32();
                case 4 -> offset = r.int64();
                case 5 -> size = r.int64();
                case 6 -> crc = r.fixed32();
                case 7 -> {
                    r.skip();
                    slices++;
                }
                default -> r.skip();
            }
        }
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i);
            if (shape[i] < 0) throw new ProtoReader.Malformed("negative dimension in shape " + dims);
        }
        return new BundleEntry(name, dataType, shape, shardId, offset, size, crc, slices);
    }
}
