package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimilarityCommandTest {

    @Test
    void theParaphraseRanksFarAboveTheUnrelatedText() {
        var r = CliRunner.run("similarity", "A man is playing a guitar.", "The stock market fell.", "Someone plays an instrument.");
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals(3, lines.length, r.out());
        assertEquals("similarity to: A man is playing a guitar.", lines[0]);
        assertTrue(lines[1].endsWith("  Someone plays an instrument."), r.out());
        assertTrue(lines[2].endsWith("  The stock market fell."), r.out());
        double instrument = Double.parseDouble(lines[1].trim().split("\\s+")[0]);
        double market = Double.parseDouble(lines[2].trim().split("\\s+")[0]);
        assertTrue(instrument > market + 0.3, "scores printed: " + instrument + " vs " + market);
    }

    @Test
    void jsonForScripts() throws IOException {
        var r = CliRunner.run("similarity", "--json", "A man is playing a guitar.", "Someone plays an instrument.", "The stock market fell.");
        assertEquals(0, r.exit(), r.err());
        JsonNode rows = new ObjectMapper().readTree(r.out());
        assertEquals(2, rows.size());
        assertEquals(1, rows.get(0).get("index").asInt());
        assertEquals("Someone plays an instrument.", rows.get(0).get("text").asText());
        assertEquals(2, rows.get(1).get("index").asInt());
        assertTrue(rows.get(0).get("score").asDouble() > rows.get(1).get("score").asDouble() + 0.3);
    }

    @Test
    void everyPair() throws IOException {
        var r = CliRunner.run("similarity", "--pairs", "--json", "A cat sits on the mat.", "The stock market fell.", "A kitten is lying on a rug.");
        assertEquals(0, r.exit(), r.err());
        JsonNode rows = new ObjectMapper().readTree(r.out());
        assertEquals(3, rows.size());
        assertEquals(0, rows.get(0).get("first").asInt());
        assertEquals(2, rows.get(0).get("second").asInt(), "cat and kitten first");
        r = CliRunner.run("similarity", "--pairs", "A cat sits on the mat.", "A kitten is lying on a rug.");
        assertTrue(r.out().contains("  A cat sits on the mat.  |  A kitten is lying on a rug."), r.out());
    }

    /** Lengths as in embed: over the working length (256) refused, --truncate cuts there, --max-length 512 runs it whole. */
    @Test
    void aTextOverTheWorkingLengthNeedsTruncateOrMaxLength() throws IOException {
        String medium = "word ".repeat(298);                               // 300 tokens with [CLS] and [SEP]
        var r = CliRunner.run("similarity", "word", medium);
        assertEquals(1, r.exit());
        assertEquals("mlm4j: text 2 is 300 tokens, over the model's working length of 256 (a max length of up to 512 would run it whole);"
                + " use --truncate to keep its first 256\n", r.err());
        double cut = new ObjectMapper().readTree(CliRunner.run("similarity", "--json", "--truncate", "word", medium).out()).get(0).get("score").asDouble();
        var whole = CliRunner.run("similarity", "--json", "--max-length", "512", "word", medium);
        assertEquals(0, whole.exit(), whole.err());
        double all = new ObjectMapper().readTree(whole.out()).get(0).get("score").asDouble();
        assertTrue(Math.abs(cut - all) > 1e-6, "300 tokens whole (" + all + ") against the first 256 (" + cut + ")");
        r = CliRunner.run("similarity", "--max-length", "1", "a", "b");
        assertEquals(1, r.exit());
        assertEquals("mlm4j: max length must be at least 2 ([CLS] and [SEP]), got 1\n", r.err());
    }

    @Test
    void oneTextIsNotEnough() {
        var r = CliRunner.run("similarity", "alone");
        assertEquals(1, r.exit());
        // with an argument, piped lines are not read: the error says so and how to add them
        assertEquals("mlm4j: give at least two texts: SOURCE TEXT…; standard input is not read when texts are given: use -f - to add lines from it\n",
                r.err());
        r = CliRunner.run("similarity", "--help");
        assertTrue(r.out().replaceAll("\\s+", " ").contains("use -f - to add lines from standard input"), r.out());
    }

    /** Too few texts is said before the model is fetched or loaded: a missing folder is not reached, nothing is downloaded first. */
    @Test
    void tooFewTextsIsSaidBeforeTheModelIsResolved(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String missing = dir.resolve("no-such-model").toString();
        var r = CliRunner.run("similarity", "--model", missing, "alone");
        assertEquals(1, r.exit());
        assertEquals("mlm4j: give at least two texts: SOURCE TEXT…; standard input is not read when texts are given: use -f - to add lines from it\n",
                r.err());
        r = CliRunner.runWithStdin("one line\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), "similarity", "--pairs", "--model", missing, "--file", "-");
        assertEquals(1, r.exit());
        assertEquals("mlm4j: give at least two texts: TEXT TEXT…\n", r.err());
        r = CliRunner.run("similarity", "--model", missing, "one", "two");                // two texts: the model is what is wrong
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("no-such-model"), r.err());
    }

    @Test
    void aBlankLineGetsAnErrorRowWithItsLineNumber() throws IOException {
        // issue 14, item 4: every line gets one record, so outputs join back to inputs
        var r = CliRunner.runWithStdin("Someone plays an instrument.\n\nThe stock market fell.\n".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "similarity", "--json", "--file", "-", "A man is playing a guitar.");
        assertEquals(0, r.exit(), r.err());
        JsonNode rows = new ObjectMapper().readTree(r.out());
        assertEquals(3, rows.size());
        assertEquals(1, rows.get(0).get("index").asInt());
        assertEquals(3, rows.get(1).get("index").asInt(), "positions count the blank line");
        assertEquals("{\"index\":2,\"line\":2,\"text\":\"\",\"error\":\"empty line\"}", rows.get(2).toString());
        assertEquals("mlm4j: warning: 1 of 4 texts have an error instead of a score (line 2: empty line)\n", r.err());
    }
}
