package dev.mlm4j.weights.safetensors;

import dev.mlm4j.weights.DType;

/**
 * The element types the safetensors format defines, with their widths in bits and, where mlm4j has
 * one, the matching {@link DType}. A file holding a type without one (U16, F8_E4M3, ...) still opens:
 * those tensors are validated, but not presented.
 */
enum SafetensorsDType {
    BOOL(8, DType.BOOL),
    U8(8, DType.U8),
    I8(8, DType.I8),
    F8_E5M2(8, null),
    F8_E4M3(8, null),
    F8_E8M0(8, null),
    F4(4, null),
    F6_E2M3(6, null),
    F6_E3M2(6, null),
    I16(16, null),
    U16(16, null),
    F16(16, DType.F16),
    BF16(16, DType.BF16),
    I32(32, DType.I32),
    U32(32, null),
    F32(32, DType.F32),
    C64(64, null),
    F64(64, DType.F64),
    I64(64, DType.I64),
    U64(64, null);

    final int bits;
    final DType dtype;

    SafetensorsDType(int bits, DType dtype) {
        this.bits = bits;
        this.dtype = dtype;
    }

    /** The type named {@code name} in a header, or null when the format has no such type. */
    static SafetensorsDType byName(String name) {
        for (SafetensorsDType t : values()) {
            if (t.name().equals(name)) return t;
        }
        return null;
    }
}
