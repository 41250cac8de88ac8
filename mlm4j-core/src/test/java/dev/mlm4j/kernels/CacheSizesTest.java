package dev.mlm4j.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CacheSizesTest {
    private static void index(Path dir, int i, int level, String type, String size) throws IOException {
        Path d = Files.createDirectories(dir.resolve("index" + i));
        Files.writeString(d.resolve("level"), level + "\n");
        Files.writeString(d.resolve("type"), type + "\n");
        Files.writeString(d.resolve("size"), size + "\n");
    }

    @Test
    void readsTheDataCacheOfEachLevelAsLinuxListsThem(@TempDir Path dir) throws IOException {
        // the layout this machine kind's /sys/devices/system/cpu/cpu0/cache has (an Intel Xeon VM: 48K, 64K, 2048K, 491520K)
        index(dir, 0, 1, "Data", "48K");
        index(dir, 1, 1, "Instruction", "64K");
        index(dir, 2, 2, "Unified", "2048K");
        index(dir, 3, 3, "Unified", "491520K");
        assertEquals(48 << 10, CacheSizes.read(dir, 1, -1));
        assertEquals(2 << 20, CacheSizes.read(dir, 2, -1));
        assertEquals(491520 << 10, CacheSizes.read(dir, 3, -1));
    }

    @Test
    void missingOrUnreadableEntriesFallBack(@TempDir Path dir) throws IOException {
        assertEquals(777, CacheSizes.read(dir.resolve("absent"), 1, 777));
        index(dir, 0, 1, "Instruction", "32K");                          // no data cache at level 1
        assertEquals(777, CacheSizes.read(dir, 1, 777));
        index(dir, 1, 2, "Unified", "lots");
        assertEquals(777, CacheSizes.read(dir, 2, 777));
        Files.writeString(dir.resolve("index0").resolve("level"), "one");
        assertEquals(777, CacheSizes.read(dir, 1, 777));
    }

    @Test
    void sizesParseWithTheirUnits() {
        assertEquals(32768, CacheSizes.parseSize("32K"));
        assertEquals(1 << 20, CacheSizes.parseSize("1M"));
        assertEquals(1 << 30, CacheSizes.parseSize("1G"));
        assertEquals(4096, CacheSizes.parseSize("4096"));
        assertEquals(0, CacheSizes.parseSize(""));
        assertEquals(0, CacheSizes.parseSize("K"));
        assertEquals(0, CacheSizes.parseSize("-1K"));
        assertEquals(0, CacheSizes.parseSize("4096G"));                  // past an int
    }

    @Test
    void theGemmsKBlockKeepsAPanelSliceInsideL1UnlessThatWouldBeFewerThan256Inputs() {
        long slice = (long) Gemm.KC_L1 * PackedMatrix.NR * Float.BYTES;
        assertTrue(Gemm.KC_L1 % 16 == 0 && Gemm.KC_L1 >= 256 && Gemm.KC_L1 <= 512, "KC_L1 " + Gemm.KC_L1);
        assertTrue(Gemm.KC_L1 == Gemm.MIN_KC_L1 || slice <= CacheSizes.L1D * 2L / 3, Gemm.KC_L1 + " inputs × " + PackedMatrix.NR + " floats in " + CacheSizes.L1D + " bytes of L1d");
        // two thirds of a 48 KB L1 hold 256 inputs of a 512-bit panel (the floor changes nothing there); of 32 KB only 160
        if (PackedMatrix.NR == 32 && CacheSizes.L1D == 48 * 1024) assertEquals(256, Gemm.KC_L1);
        if (PackedMatrix.NR == 32 && CacheSizes.L1D == 32 * 1024) assertEquals(256, Gemm.KC_L1);
    }
}
