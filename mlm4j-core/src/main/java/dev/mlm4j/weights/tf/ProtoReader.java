package dev.mlm4j.weights.tf;

/**
 * Just enough of the protobuf wire format to read the three small messages a tensor bundle index holds
 * (BundleHeaderProto, BundleEntryProto, TensorShapeProto). Every read is bounds-checked, so a corrupt
 * message fails with {@link Malformed} instead of reading past its end or allocating a hostile length.
 */
final class ProtoReader {
    static final int VARINT = 0, FIXED64 = 1, LENGTH_DELIMITED = 2, FIXED32 = 5;

    /** The message bytes are not valid protobuf (truncated varint, length past the end, ...). */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    private final byte[] buf;
    private int pos;
    private final int end;
    private int tag;

    ProtoReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    private ProtoReader(byte[] buf, int from, int to) {
        this.buf = buf;
        this.pos = from;
        this.end = to;
    }

    int remaining() {
        return end - pos;
    }

    /** Advances to the next field; false at the end of the message. */
    boolean next() throws Malformed {
        if (pos >= end) return false;
        long t = varint();
        if (t >>> 32 != 0 || (t >>> 3) == 0) throw new Malformed("bad field tag " + t);
        tag = (int) t;
        return true;
    }

    int field() {
        return tag >>> 3;
    }

    int wireType() {
        return tag & 7;
    }

    long varint() throws Malformed {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) throw new Malformed("truncated varint");
            byte b = buf[pos++];
            v |= (long) (b & 0x7f) << shift;
            if (b >= 0) return v;
        }
        throw new Malformed("varint longer than 10 bytes");
    }

    /** A varint field that must be a (non-negative or negative) int32. */
    int int32() throws Malformed {
        expect(VARINT);
        return (int) varint();
    }

    long int64() throws Malformed {
        expect(VARINT);
        return varint();
    }

    int fixed32() throws Malformed {
        expect(FIXED32);
        if (end - pos < 4) throw new Malformed("truncated fixed32");
        int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16 | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    /** A length-delimited field as a reader over its bytes (no copy). */
    ProtoReader message() throws Malformed {
        int len = length();
        ProtoReader sub = new ProtoReader(buf, pos, pos + len);
        pos += len;
        return sub;
    }

    private int length() throws Malformed {
        expect(LENGTH_DELIMITED);
        long len = varint();
        if (len < 0 || len > end - pos) throw new Malformed("field length " + len + " runs past the end of the message");
        return (int) len;
    }

    /** Skips the current field's value (fields this reader does not know, for forward compatibility). */
    void skip() throws Malformed {
        switch (wireType()) {
            case VARINT -> varint();
            case FIXED64 -> advance(8);
            case FIXED32 -> advance(4);
            case LENGTH_DELIMITED -> advance(length());
            default -> throw new Malformed("unsupported wire type " + wireType() + " for field " + field());
        }
    }

    private void advance(int n) throws Malformed {
        if (end - pos < n) throw new Malformed("truncated field " + field());
        pos += n;
    }

    private void expect(int wireType) throws Malformed {
        if (wireType() != wireType) {
            throw new Malformed("field " + field() + " has wire type " + wireType() + ", expected " + wireType);
        }
    }
}
