package dev.mlm4j.util;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong clock = new AtomicLong();

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theBarShowsPercentSizeRateAndTimeLeft() {
        String line = barLine(100, "downloading bert-base-uncased", 408_185_950L, 5_000_000_000L, 196_200_000L);
        assertEquals(99, line.length(), line);
        assertTrue(line.startsWith("downloading bert-base-uncased [=========="), line);
        assertTrue(line.endsWith("]  48%  196.2/408.2 MB  39.2 MB/s  5s left"), line);
    }

    @Test
    void onANarrowTerminalTheLineNeverWraps() {
        assertEquals(39, barLine(40, "downloading bert-base-multilingual-cased", 663_554_736L, 2_000_000_000L, 100_000_000L).length());
    }

    /** The bar on a {@code columns}-wide terminal once {@code done} of {@code total} bytes took {@code nanos}. */
    private String barLine(int columns, String label, long total, long nanos, long done) {
        Progress p = new Progress(out, Progress.Mode.BAR, clock::get, columns);
        p.start(label, total);
        clock.set(nanos);
        p.update(done);
        return p.barLine(clock.get());
    }

    @Test
    void theBarRedrawsAtMostTenTimesASecondAndEndsTheLine() {
        Progress p = new Progress(out, Progress.Mode.BAR, clock::get, 80);
        p.start("unpacking x", 1000);
        for (int i = 1; i <= 100; i++) {
            clock.addAndGet(10_000_000L); // 10 ms apart: 1 s in all
            p.update(i * 10L);
        }
        p.finish();
        String s = printed();
        long redraws = s.chars().filter(c -> c == '\r').count();
        assertTrue(redraws >= 10 && redraws <= 13, redraws + " redraws");
        assertTrue(s.endsWith("] 100%  1.0/1.0 kB  1.0 kB/s  1.0 s\u001b[K" + System.lineSeparator()), s);
    }

    @Test
    void withoutATerminalAFewPlainLines() {
        Progress p = new Progress(out, Progress.Mode.LINES, clock::get, 80);
        p.start("downloading m", 408_185_950L);
        for (long done = 0; done <= 408_185_950L; done += 1 << 20) {
            clock.addAndGet(2_500_000L);
            p.update(done);
        }
        p.update(408_185_950L);
        p.finish();
        String[] lines = printed().split(System.lineSeparator());
        assertEquals(5, lines.length, printed());
        assertEquals("downloading m (408.2 MB) …", lines[0]);
        assertTrue(lines[1].startsWith("downloading m: 25% (102."), lines[1]);
        assertEquals("downloading m: done, 408.2 MB in 1.0 s (418.7 MB/s)", lines[4]);
        assertTrue(!printed().contains("\r"));
    }

    @Test
    void aSmallFileShowsItsRateInKilobytesAndItsRealPercentage() {
        // issue 14: embedding a 40 kB file printed "0.0 MB/s"; a line printed at a quarter said 25 % whatever was done
        Progress p = new Progress(out, Progress.Mode.LINES, clock::get, 80);
        p.start("embedding in.txt", 5);
        clock.addAndGet(1_000_000_000L);
        p.update(2);
        p.finish();
        String[] lines = printed().split(System.lineSeparator());
        assertEquals("embedding in.txt: 40% (2 B of 5 B, 2 B/s)", lines[1]);
        assertEquals("40.0 kB/s", Progress.rate(40_000, 1_000_000_000L));
        assertEquals("2.5 MB/s", Progress.rate(5_000_000, 2_000_000_000L));
        assertEquals("1.20 GB/s", Progress.rate(1_200_000_000L, 1_000_000_000L));
    }

    @Test
    void sizesInDecimalUnits() {
        assertEquals("999 B", Progress.bytes(999));
        assertEquals("77.8 MB", Progress.bytes(77_768_709));
        assertEquals("1.50 GB", Progress.bytes(1_500_000_000L));
    }
}
