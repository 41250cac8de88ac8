package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbedCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    @AfterEach
    void clear() {
        System.clearProperty("mlm4j.progress");
    }

    static List<JsonNode> jsonLines(String out) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : out.split("\n")) if (!line.isEmpty()) rows.add(JSON.readTree(line));
        return rows;
    }

    static double norm(JsonNode v) {
        double s = 0;
        for (JsonNode x : v) s += x.asDouble() * x.asDouble();
        return Math.sqrt(s);
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void textsBecomeJsonLinesOfUnitVectors() throws IOException {
        var r = CliRunner.run("embed", "A man is playing a guitar.", "Someone plays an instrument.");
        assertEquals(0, r.exit(), r.err());
        List<JsonNode> rows = jsonLines(r.out());
        assertEquals(2, rows.size());
        assertEquals(0, rows.get(0).get("index").asInt());
        assertEquals("Someone plays an instrument.", rows.get(1).get("text").asText());
        assertEquals(384, rows.get(0).get("embedding").size());
        assertEquals(1.0, norm(rows.get(1).get("embedding")), 1e-5, "all-MiniLM-L6-v2 is normalised");
        assertFalse(rows.get(0).has("truncated"));
    }

    @Test
    void poolingNoneGivesOneVectorPerToken() throws IOException {
        var r = CliRunner.run("embed", "--pooling", "none", "Hi there");
        assertEquals(0, r.exit(), r.err());
        JsonNode row = jsonLines(r.out()).getFirst();
        assertEquals("[\"[CLS]\",\"hi\",\"there\",\"[SEP]\"]", row.get("tokens").toString());
        assertEquals(4, row.get("token_embeddings").size());
        assertEquals(384, row.get("token_embeddings").get(0).size());
        assertFalse(row.has("embedding"));
    }

    @Test
    void theModelsDefaultsCanBeOverridden() throws IOException {
        var r = CliRunner.run("embed", "--model", "bge-small-en-v1.5", "--no-normalize", "Represent this sentence.");
        assertEquals(0, r.exit(), r.err());
        assertTrue(Math.abs(norm(jsonLines(r.out()).getFirst().get("embedding")) - 1) > 0.01, "not normalised");
        // worded as --aggregation's and --function's errors: no picocli "cannot convert", no Java exception class
        r = CliRunner.run("embed", "--pooling", "max", "x");
        assertEquals(1, r.exit());
        assertEquals("mlm4j: unknown pooling 'max': expected mean, cls or none\n", r.err());
        r = CliRunner.run("similarity", "-p", "bogus", "a", "b");
        assertEquals(1, r.exit());
        assertEquals("mlm4j: unknown pooling 'bogus': expected mean, cls or none\n", r.err());
    }

    @Test
    void aFileIsEmbeddedInBatchesWithProgressIntoAnOutputFile() throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 120; i++) lines.add(i % 7 == 3 ? "   " : "Sentence number " + i + " is about " + (i % 2 == 0 ? "music and guitars." : "markets and shares."));
        Path in = Files.write(tmp.resolve("in.txt"), lines, StandardCharsets.UTF_8);
        Path out = tmp.resolve("out.jsonl");
        System.setProperty("mlm4j.progress", "lines");
        var r = CliRunner.run("embed", "--file", in.toString(), "--output", out.toString(), "--batch-tokens", "200");
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.out(), "nothing on standard output");
        assertTrue(r.err().contains("embedding in.txt: "), r.err());
        assertTrue(r.err().contains(": done"), r.err());
        List<JsonNode> rows = jsonLines(Files.readString(out));
        assertEquals(lines.size(), rows.size(), "one record per line, blank ones included");
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(i, rows.get(i).get("index").asInt());
            assertEquals(i + 1, rows.get(i).get("line").asInt());
            assertEquals(lines.get(i), rows.get(i).get("text").asText());
            assertEquals(lines.get(i).isBlank(), rows.get(i).has("error"), "line " + (i + 1));
            assertEquals(lines.get(i).isBlank(), !rows.get(i).has("embedding"), "line " + (i + 1));
        }
        assertTrue(r.err().contains("mlm4j: warning: 17 of 120 lines have an \"error\" record instead of an embedding (line 4: empty line, …)"), r.err());
        assertEquals(List.of("in.txt", "out.jsonl"), files(), "no temporary file left");

        var one = CliRunner.run("embed", lines.get(5));
        JsonNode a = jsonLines(one.out()).getFirst().get("embedding"), b = rows.get(5).get("embedding");
        for (int j = 0; j < a.size(); j++) assertEquals(a.get(j).asDouble(), b.get(j).asDouble(), 1e-6, "same vector in a batch of the file as alone");
    }

    @Test
    void aTooLongLineGetsAnErrorRecordAndATooLongArgumentFailsBeforeAnythingIsWritten() throws IOException {
        Path in = Files.writeString(tmp.resolve("in.txt"), "first\nsecond\n" + "word ".repeat(600) + "\nfourth\n");
        Path out = Files.writeString(tmp.resolve("out.jsonl"), "old contents\n");
        var r = CliRunner.run("embed", "-f", in.toString(), "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        List<JsonNode> records = jsonLines(Files.readString(out));
        assertEquals(4, records.size());
        assertEquals("text is 602 tokens, over the model's maximum of 512; use --truncate to keep its first 256", records.get(2).get("error").asText());
        assertEquals(3, records.get(2).get("line").asInt());
        assertFalse(records.get(2).has("embedding"));
        assertEquals(384, records.get(3).get("embedding").size());
        assertEquals("mlm4j: warning: 1 of 4 lines have an \"error\" record instead of an embedding"
                + " (line 3: text is 602 tokens, over the model's maximum of 512; use --truncate to keep its first 256)\n", r.err());

        Files.writeString(out, "old contents\n");
        r = CliRunner.run("embed", "-o", out.toString(), "first", "word ".repeat(600));
        assertEquals(1, r.exit());
        assertEquals("mlm4j: text 2 is 602 tokens, over the model's maximum of 512; use --truncate to keep its first 256\n", r.err());
        assertEquals("old contents\n", Files.readString(out), "the old output is left as it was");
        assertEquals(List.of("in.txt", "out.jsonl"), files());
        r = CliRunner.run("embed", "first", "word ".repeat(600));
        assertEquals(1, r.exit());
        assertEquals("", r.out(), "nothing half-written on standard output either");

        // over the working length (256, sentence-transformers' max_seq_length) but within the position table: refused,
        // as sentence-transformers would cut it; --max-length 512 runs it whole, --truncate cuts it at 256
        r = CliRunner.run("embed", "word ".repeat(298));
        assertEquals(1, r.exit());
        assertEquals("mlm4j: text 1 is 300 tokens, over the model's working length of 256 (a max length of up to 512 would run it whole);"
                + " use --truncate to keep its first 256\n", r.err());
        r = CliRunner.run("embed", "--max-length", "512", "--pooling", "none", "word ".repeat(298));
        assertEquals(0, r.exit(), r.err());
        assertEquals(300, jsonLines(r.out()).getFirst().get("token_embeddings").size());

        r = CliRunner.run("embed", "-f", in.toString(), "-o", out.toString(), "--truncate");
        assertEquals(0, r.exit(), r.err());
        List<JsonNode> rows = jsonLines(Files.readString(out));
        assertEquals(4, rows.size());
        assertTrue(rows.get(2).get("truncated").asBoolean());
        assertFalse(rows.get(1).has("truncated"));
    }

    @Test
    void windowsLineEndsAndAByteOrderMarkAreNotPartOfTheTexts() throws IOException {
        Path in = Files.write(tmp.resolve("crlf.txt"), "\uFEFFfirst line\r\n\r\nsecond line\r\nthird, no newline".getBytes(StandardCharsets.UTF_8));
        var r = CliRunner.run("embed", "-f", in.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("first line", "", "second line", "third, no newline"), jsonLines(r.out()).stream().map(n -> n.get("text").asText()).toList());
        Path empty = Files.writeString(tmp.resolve("empty.txt"), "\n  \n");
        r = CliRunner.run("embed", "-f", empty.toString());
        assertEquals(1, r.exit());
        assertEquals("mlm4j: no input text: " + empty + " has no non-blank line\n", r.err());
    }

    @Test
    void everyLineOfStandardInputGetsOneRecordWithItsLineNumber() throws IOException {
        // issue 14, item 4: `printf 'first\n\nthird' | ./mlm4j embed` gave two records, "third" at index 1
        var r = CliRunner.runWithStdin("first\n\nthird".getBytes(StandardCharsets.UTF_8), "embed", "--file", "-");
        assertEquals(0, r.exit(), r.err());
        List<JsonNode> rows = jsonLines(r.out());
        assertEquals(3, rows.size());
        assertEquals("{\"index\":1,\"line\":2,\"text\":\"\",\"error\":\"empty line\"}", rows.get(1).toString());
        assertEquals(2, rows.get(2).get("index").asInt());
        assertEquals(3, rows.get(2).get("line").asInt());
        assertEquals("third", rows.get(2).get("text").asText());
        assertEquals(384, rows.get(2).get("embedding").size());
        assertEquals("mlm4j: warning: 1 of 3 lines have an \"error\" record instead of an embedding (line 2: empty line)\n", r.err());
        assertFalse(rows.get(0).has("error"));

        r = CliRunner.runWithStdin(("word ".repeat(600) + "\n\n").getBytes(StandardCharsets.UTF_8), "embed", "--file", "-");
        assertEquals(1, r.exit());
        assertEquals("mlm4j: no line of standard input can be embedded (line 1: text is 602 tokens, over the model's maximum of 512;"
                + " use --truncate to keep its first 256)\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void e5GetsItsQueryPrefixByDefaultAndThePassagePrefixWithPassage() throws IOException {
        String text = "The giant panda lives in the mountains of Sichuan.";
        var query = CliRunner.run("embed", "--model", "e5-small-v2", "--pooling", "none", text);
        assertEquals(0, query.exit(), query.err());
        JsonNode q = jsonLines(query.out()).getFirst();
        assertTrue(q.get("tokens").toString().startsWith("[\"[CLS]\",\"query\",\":\",\"the\","), q.get("tokens").toString());
        assertEquals(text, q.get("text").asText(), "the record keeps the text as given");
        var passage = CliRunner.run("embed", "--model", "e5-small-v2", "--pooling", "none", "--passage", text);
        assertEquals(0, passage.exit(), passage.err());
        assertTrue(jsonLines(passage.out()).getFirst().get("tokens").toString().startsWith("[\"[CLS]\",\"passage\",\":\",\"the\""));
        var none = CliRunner.run("embed", "--model", "e5-small-v2", "--pooling", "none", "--no-prefix", text);
        assertTrue(jsonLines(none.out()).getFirst().get("tokens").toString().startsWith("[\"[CLS]\",\"the\""), none.out());
        var both = CliRunner.run("embed", "--model", "e5-small-v2", "--query", "--passage", text);
        assertEquals(1, both.exit());
        assertEquals("mlm4j: --query, --passage and --no-prefix exclude each other: give at most one\n", both.err());
    }

    @Test
    void anEmptyArgumentIsRefusedAsTheServerRefusesAnEmptyInput() {
        var r = CliRunner.run("embed", "");
        assertEquals(1, r.exit());
        assertEquals("mlm4j: text argument 1 is empty; give a non-blank text\n", r.err());
        assertEquals("", r.out());
        r = CliRunner.run("embed", "fine", "  ");
        assertEquals("mlm4j: text argument 2 is empty; give a non-blank text\n", r.err());
    }

    static Path make(Path dir, String name, String... command) throws Exception {
        Path p = dir.resolve(name);
        List<String> cmd = new ArrayList<>(List.of(command));
        cmd.add(1, p.toString());
        Process pr = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(pr.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && pr.exitValue() == 0, String.join(" ", cmd));
        return p;
    }

    static boolean isOther(Path p) throws IOException {
        return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther();
    }

    @Test
    void anOutputThatIsNotARegularFileIsWrittenThroughNeverReplaced() throws Exception {
        // issue 14, item 6: --output renamed a temporary file over a device, a FIFO or a symbolic link. The devices are
        // made in a temporary folder (char 1,3 is /dev/null, 1,7 is /dev/full) so that a regression cannot harm /dev.
        Path nul = make(tmp, "null", "mknod", "c", "1", "3");
        var r = CliRunner.run("embed", "-o", nul.toString(), "x");
        assertEquals(0, r.exit(), r.err());
        assertTrue(isOther(nul), "still a device");

        Path full = make(tmp, "full", "mknod", "c", "1", "7");
        r = CliRunner.run("embed", "-o", full.toString(), "x");
        assertEquals(1, r.exit());
        assertEquals("mlm4j: cannot write " + full + ": No space left on device\n", r.err());
        assertTrue(isOther(full), "still a device");

        Path fifo = make(tmp, "fifo", "mkfifo");
        var reader = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readString(fifo);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        r = CliRunner.run("embed", "-o", fifo.toString(), "through a pipe");
        assertEquals(0, r.exit(), r.err());
        assertEquals("through a pipe", jsonLines(reader.get(60, java.util.concurrent.TimeUnit.SECONDS)).getFirst().get("text").asText());
        assertTrue(isOther(fifo), "still a FIFO");

        Path real = Files.writeString(tmp.resolve("real.jsonl"), "old\n");
        Path link = Files.createSymbolicLink(tmp.resolve("link.jsonl"), real.getFileName());
        r = CliRunner.run("embed", "-o", link.toString(), "x");
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.isSymbolicLink(link), "the link is kept");
        assertEquals("x", jsonLines(Files.readString(real)).getFirst().get("text").asText(), "the file it points to is written");
        assertEquals(List.of("fifo", "full", "link.jsonl", "null", "real.jsonl"), files(), "no temporary file left");
    }

    @Test
    void badInputIsOneLineAndNonZero() throws IOException {
        Path bad = Files.write(tmp.resolve("bad.txt"), new byte[] {'o', 'k', '\n', (byte) 0xC3, '(', '\n'});
        var r = CliRunner.run("embed", "-f", bad.toString());
        assertEquals(1, r.exit());
        assertEquals("mlm4j: " + bad + " is not valid UTF-8 (line 2)\n", r.err());

        r = CliRunner.run("embed", "-f", tmp.resolve("absent.txt").toString());
        assertEquals(1, r.exit());
        assertEquals("mlm4j: no such file: " + tmp.resolve("absent.txt") + "\n", r.err());

        r = CliRunner.run("embed", "--max-length", "1000", "x");
        assertEquals(1, r.exit());
        assertEquals("mlm4j: max length 1000 is over the model's maximum of 512 tokens (its position table)\n", r.err());
        for (String n : new String[]{"0", "1", "-5"}) {   // 0 too: it is not a length (it was taken as "the model's")
            r = CliRunner.run("embed", "--max-length", n, "x");
            assertEquals(1, r.exit());
            assertEquals("mlm4j: max length must be at least 2 ([CLS] and [SEP]), got " + n + "\n", r.err());
        }

        r = CliRunner.run("embed", "-o", tmp.resolve("no/such/dir/out.jsonl").toString(), "x");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("mlm4j: no such folder: "), r.err());
    }
}
