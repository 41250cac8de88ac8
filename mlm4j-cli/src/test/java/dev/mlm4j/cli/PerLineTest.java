package dev.mlm4j.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared per-line flow, with a stand-in pipeline (the text's length) so no model is needed. */
class PerLineTest {

    @AfterEach
    void clearProgress() {
        System.clearProperty("mlm4j.progress");
    }

    @Test
    void aLargeFileRunsInChunksInOrderWithAProgressBarAndErrorRecordsInPlace(@TempDir Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 150; i++) lines.add(i % 10 == 3 ? " " : i % 10 == 7 ? "bad " + i : "text " + i);
        Path f = Files.write(dir.resolve("in.txt"), lines, StandardCharsets.UTF_8);
        System.setProperty("mlm4j.progress", "lines");
        PerLine.Checked in = PerLine.check(Inputs.read(null, f), f, (line, position) -> {
            if (line.text().startsWith("bad")) throw new IllegalArgumentException("refused at " + position);
        });
        List<Integer> chunkSizes = new ArrayList<>();
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PerLine.Results<Integer> r;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            r = in.computeTexts("measuring", texts -> {
                chunkSizes.add(texts.size());
                return texts.stream().map(String::length).toList();
            });
            r.warnIfAny("lengths");
        } finally {
            System.setErr(oldErr);
        }
        assertEquals(List.of(64, 56), chunkSizes, "120 usable texts in chunks of " + PerLine.CHUNK);
        for (int i = 0; i < lines.size(); i++) {
            if (i % 10 == 3 || i % 10 == 7) assertNull(r.results().get(i), "line " + (i + 1));
            else assertEquals(lines.get(i).length(), r.results().get(i), "line " + (i + 1));
        }
        assertEquals(Inputs.EMPTY_LINE, in.errors().get(3));
        assertEquals("refused at 7", in.errors().get(7));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.startsWith("measuring in.txt: 120 texts"), e);
        assertTrue(e.contains("measuring in.txt: 120 texts: done"), e);
        assertTrue(e.endsWith("mlm4j: warning: 30 of 150 lines have an error instead of lengths (line 4: empty line, …)\n"), e);

        List<?> json = (List<?>) r.json((position, length, alone) -> length);
        assertEquals(150, json.size());
        assertEquals(6, json.get(0));
        assertEquals(Map.of("line", 4, "error", "empty line"), json.get(3));
        assertTrue(r.table(true, (sb, length) -> sb.append("  ").append(length).append('\n'))
                .startsWith("line 1: text 0\n  6\n\nline 2: text 1\n  6\n\nline 3: text 2\n  6\n\nline 4:  \n  error: empty line\n"));
    }

    @Test
    void aSmallInputIsOneCallWithoutProgressAndARefusedArgumentFailsTheJob() throws Exception {
        System.setProperty("mlm4j.progress", "lines");
        PerLine.Checked in = PerLine.check(Inputs.read(List.of("a", "bb"), null), null, (line, position) -> {});
        List<Integer> calls = new ArrayList<>();
        PerLine.Results<Integer> r = in.computeTexts("measuring", texts -> {
            calls.add(texts.size());
            return texts.stream().map(String::length).toList();
        });
        assertEquals(List.of(2), calls);
        assertEquals(List.of(1, 2), r.json((position, length, alone) -> length));
        assertEquals("a\n  1\nbb\n  2\n", r.table(false, (sb, length) -> sb.append("  ").append(length).append('\n')));

        var e = assertThrows(IllegalArgumentException.class, () -> PerLine.check(Inputs.read(List.of("ok", "bad"), null), null,
                (line, position) -> { if (line.text().equals("bad")) throw new IllegalArgumentException("argument " + (position + 1) + " refused"); }));
        assertEquals("argument 2 refused", e.getMessage());
    }
}
