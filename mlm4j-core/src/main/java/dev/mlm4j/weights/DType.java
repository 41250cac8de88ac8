package dev.mlm4j.weights;

/** Element types checkpoints store. Everything is widened to float32 when loaded. */
public enum DType {
    F32(4), F16(2), BF16(2), F64(8), I32(4), I64(8), I8(1), U8(1), BOOL(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }
}
