package dev.mlm4j.weights.tf;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/**
 * CRC-32C (Castagnoli) as LevelDB and TensorFlow store it: "masked", so that a CRC of data that itself
 * contains CRCs is not degenerate — {@code rotr(crc, 15) + 0xa282ead8} (leveldb/util/crc32c.h, also used by
 * TensorFlow's tensor_bundle for every tensor's checksum).
 */
final class Crc32c {
    private static final int MASK_DELTA = 0xa282ead8;

    private Crc32c() {}

    static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
    }

    static int unmask(int masked) {
        int rot = masked - MASK_DELTA;
        return (rot >>> 17) | (rot << 15);
    }

    static int of(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        return (int) crc.getValue();
    }

    /**
     * CRC-32C of {@code length} bytes of a (mapped) segment, read through direct byte buffers so the JDK's
     * hardware-accelerated intrinsic does the work.
     */
    static int of(MemorySegment segment, long offset, long length) {
        CRC32C crc = new CRC32C();
        final long chunk = 1L << 30; // ByteBuffer views are int-indexed
        for (long done = 0; done < length; done += chunk) {
            long n = Math.min(chunk, length - done);
            crc.update(segment.asSlice(offset + done, n).asByteBuffer());
        }
        return (int) crc.getValue();
    }

    static String hex(int crc) {
        return String.format("0x%08x", crc);
    }
}
