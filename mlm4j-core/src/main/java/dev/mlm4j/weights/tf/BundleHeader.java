package dev.mlm4j.weights.tf;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The tensor bundle's header, stored under the empty key of the index ({@code BundleHeaderProto} in
 * tensorflow/core/protobuf/tensor_bundle.proto): {@code num_shards = 1}, {@code endianness = 2}
 * (LITTLE = 0, BIG = 1), {@code version = 3} (a {@code VersionDef}: producer = 1, min_consumer = 2,
 * bad_consumers = 3).
 */
public record BundleHeader(int numShards, ByteOrder byteOrder, int producer, int minConsumer, List<Integer> badConsumers) {

    /** The bundle format version this reader implements (kTensorBundleVersion in tensor_bundle.cc). */
    public static final int READER_VERSION = 1;

    static BundleHeader parse(byte[] value) throws ProtoReader.Malformed {
        int numShards = 0, endianness = 0, producer = 0, minConsumer = 0;
        List<Integer> bad = new ArrayList<>();
        ProtoReader r = new ProtoReader(value);
        while (r.next()) {
            switch (r.field()) {
                case 1 -> numShards = r.int32();
                case 2 -> endianness = r.int32();
                case 3 -> {
                    ProtoReader v = r.message();
                    while (v.next()) {
                        switch (v.field()) {
                            case 1 -> producer = v.int32();
                            case 2 -> minConsumer = v.int32();
                            case 3 -> {
                                if (v.wireType() == ProtoReader.LENGTH_DELIMITED) { // packed
                                    ProtoReader packed = v.message();
                                    while (packed.remaining() > 0) bad.add((int) packed.varint());
                                } else {
                                    bad.add(v.int32());
                                }
                            }
                            default -> v.skip();
                        }
                    }
                }
                default -> r.skip();
            }
        }
        if (endianness != 0 && endianness != 1) throw new ProtoReader.Malformed("unknown endianness " + endianness);
        return new BundleHeader(numShards, endianness == 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN,
                producer, minConsumer, List.copyOf(bad));
    }

    /** Why this reader cannot read the bundle, or null when it can (TensorFlow's CheckVersions). */
    String incompatibility() {
        if (minConsumer > READER_VERSION) {
            return "it needs a reader of version " + minConsumer + " or later (mlm4j reads version " + READER_VERSION + ")";
        }
        if (badConsumers.contains(READER_VERSION)) {
            return "its writer declared reader version " + READER_VERSION + " unable to read it";
        }
        return null;
    }
}
