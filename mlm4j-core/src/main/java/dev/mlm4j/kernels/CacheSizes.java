package dev.mlm4j.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The per-core data cache sizes {@link Gemm} sizes its blocks from, read once from Linux's
 * {@code /sys/devices/system/cpu/cpu0/cache/index*} ({@code level}, {@code type}, {@code size}). Elsewhere, or when
 * those files are missing or unreadable, the sizes of the smallest common x86 cores (32 KB L1d, 512 KB L2): blocks a
 * little smaller than they could be, never larger than the cache. {@code -Dmlm4j.cache.l1d=49152} and
 * {@code -Dmlm4j.cache.l2=…} (bytes) override either, for experiments.
 */
final class CacheSizes {
    private CacheSizes() {}

    static final int DEFAULT_L1D = 32 << 10;
    static final int DEFAULT_L2 = 512 << 10;

    /** Bytes of level-1 data cache per core. */
    static final int L1D = Integer.getInteger("mlm4j.cache.l1d", read(Path.of("/sys/devices/system/cpu/cpu0/cache"), 1, DEFAULT_L1D));
    /** Bytes of level-2 cache per core. */
    static final int L2 = Integer.getInteger("mlm4j.cache.l2", read(Path.of("/sys/devices/system/cpu/cpu0/cache"), 2, DEFAULT_L2));

    /**
     * The size of the data (or unified) cache of {@code level} under {@code dir} (the layout of Linux's sysfs), or
     * {@code fallback} when there is none or it cannot be read.
     */
    static int read(Path dir, int level, int fallback) {
        for (int i = 0; i < 8; i++) {
            Path index = dir.resolve("index" + i);
            try {
                if (!Files.isDirectory(index)) continue;
                if (Integer.parseInt(Files.readString(index.resolve("level")).strip()) != level) continue;
                String type = Files.readString(index.resolve("type")).strip();
                if (!type.equals("Data") && !type.equals("Unified")) continue;
                int bytes = parseSize(Files.readString(index.resolve("size")).strip());
                return bytes > 0 ? bytes : fallback;
            } catch (IOException | RuntimeException e) {
                return fallback;
            }
        }
        return fallback;
    }

    /** "48K", "2048K", "1M" or a plain number of bytes → bytes; 0 for anything else. */
    static int parseSize(String s) {
        if (s.isEmpty()) return 0;
        char unit = Character.toUpperCase(s.charAt(s.length() - 1));
        long scale = unit == 'K' ? 1L << 10 : unit == 'M' ? 1L << 20 : unit == 'G' ? 1L << 30 : 1;
        String digits = scale == 1 ? s : s.substring(0, s.length() - 1);
        try {
            long v = Long.parseLong(digits) * scale;
            return v > 0 && v <= Integer.MAX_VALUE ? (int) v : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
