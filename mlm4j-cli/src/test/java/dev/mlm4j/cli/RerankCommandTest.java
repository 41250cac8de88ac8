package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ./mlm4j rerank on the tiny cross-encoder of mlm4j-core's task fixtures: --json is TEI's /rerank reply recorded in its
 * expected.json (case rr-0: {@code tei_rerank}, {@code tei_rerank_raw_scores}; made by scripts/reference/tasks/make_fixtures.py
 * from sentence-transformers' CrossEncoder logits), and bad input is one line.
 */
class RerankCommandTest {
    static final Path MODEL = NerCommandTest.TASKS.resolve("rerank");
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode rr0() throws Exception {
        return JSON.readTree(MODEL.resolve("expected.json").toFile()).get("cases").get(0);
    }

    static String[] args(JsonNode c, String... options) {
        List<String> a = new ArrayList<>(List.of("rerank", "-m", MODEL.toString(), "--query", c.get("query").asText()));
        a.addAll(List.of(options));
        c.get("documents").forEach(d -> a.add(d.asText()));
        return a.toArray(String[]::new);
    }

    static void assertRanks(JsonNode want, JsonNode got, boolean withText, JsonNode documents) {
        assertEquals(want.size(), got.size(), got.toString());
        for (int i = 0; i < want.size(); i++) {
            JsonNode g = got.get(i);
            List<String> keys = new ArrayList<>();
            g.fieldNames().forEachRemaining(keys::add);
            assertEquals(withText ? List.of("index", "text", "score") : List.of("index", "score"), keys, got.toString());
            assertEquals(want.get(i).get("index").asInt(), g.get("index").asInt(), got.toString());
            assertEquals(want.get(i).get("score").asDouble(), g.get("score").asDouble(), 1e-4, got.toString());
            if (withText) assertEquals(documents.get(g.get("index").asInt()).asText(), g.get("text").asText());
        }
    }

    @Test
    void jsonIsTeisRerankReply() throws Exception {
        JsonNode c = rr0();
        var r = CliRunner.run(args(c, "--json"));
        assertEquals(0, r.exit(), r.err());
        assertRanks(c.get("tei_rerank"), JSON.readTree(r.out()), false, c.get("documents"));
        r = CliRunner.run(args(c, "--json", "--raw-scores", "--return-text"));
        assertEquals(0, r.exit(), r.err());
        assertRanks(c.get("tei_rerank_raw_scores"), JSON.readTree(r.out()), true, c.get("documents"));
        r = CliRunner.run(args(c, "--json", "--top-k", "2"));
        assertRanks(JSON.createArrayNode().add(c.get("tei_rerank").get(0)).add(c.get("tei_rerank").get(1)), JSON.readTree(r.out()), false, c.get("documents"));
    }

    @Test
    void passagesFromAFileOrStandardInputAndATable(@TempDir Path dir) throws Exception {
        JsonNode c = rr0();
        StringBuilder lines = new StringBuilder();
        c.get("documents").forEach(d -> lines.append(d.asText()).append('\n'));
        Path f = dir.resolve("passages.txt");
        Files.writeString(f, lines, StandardCharsets.UTF_8);
        var r = CliRunner.run("rerank", "-m", MODEL.toString(), "-q", c.get("query").asText(), "--json", "--file", f.toString());
        assertEquals(0, r.exit(), r.err());
        assertRanks(c.get("tei_rerank"), JSON.readTree(r.out()), false, c.get("documents"));
        r = CliRunner.runWithStdin(lines.toString().getBytes(StandardCharsets.UTF_8), "rerank", "-m", MODEL.toString(), "-q", c.get("query").asText());
        assertEquals(0, r.exit(), r.err());
        String[] table = r.out().split("\n");
        assertEquals("query: " + c.get("query").asText(), table[0]);
        JsonNode best = c.get("tei_rerank").get(0);
        assertTrue(table[2].matches(" +1 +" + String.format(java.util.Locale.ROOT, "%.4f", best.get("score").asDouble()) + " +" + best.get("index").asInt()
                + "  " + java.util.regex.Pattern.quote(c.get("documents").get(best.get("index").asInt()).asText())), r.out());
        assertEquals(2 + c.get("documents").size(), table.length, r.out());
    }

    @Test
    void aLongFileShowsProgressAndRanksEveryLine(@TempDir Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 150; i++) lines.add("Passage number " + i + " is about " + (i % 3 == 0 ? "the Eiffel Tower." : "bananas."));
        Path f = Files.write(dir.resolve("passages.txt"), lines, StandardCharsets.UTF_8);
        System.setProperty("mlm4j.progress", "lines");
        try {
            var r = CliRunner.run("rerank", "-m", MODEL.toString(), "-q", "How tall is the Eiffel Tower?", "--json", "--file", f.toString());
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.err().contains("ranking passages.txt: 150 texts") && r.err().contains(": done"), r.err());
            JsonNode out = JSON.readTree(r.out());
            assertEquals(150, out.size());
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            for (int i = 0; i < out.size(); i++) {
                seen.add(out.get(i).get("index").asInt());
                if (i > 0) assertTrue(out.get(i - 1).get("score").asDouble() >= out.get(i).get("score").asDouble(), "sorted");
            }
            assertEquals(150, seen.size(), "every line once");
        } finally {
            System.clearProperty("mlm4j.progress");
        }
    }

    @Test
    void badInputIsOneCleanLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("passages.txt");
        Files.writeString(f, "first passage\n\nthird passage\n", StandardCharsets.UTF_8);
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("rerank", "-m", MODEL.toString(), "-q", "q", "--file", f.toString()), "passage line 2: empty line");
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("rerank", "-m", MODEL.toString(), "-q", " ", "a passage"), "--query is empty");
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("rerank", "-m", MODEL.toString(), "-q", "q", "--top-k", "0", "a passage"), "--top-k must be positive");
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("rerank", "-m", MODEL.toString(), "a passage"), "--query");
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("rerank", "-m", MODEL.toString(), "-q", "q", "--no-truncate", "word ".repeat(600)),
                "over the model's maximum of 512");
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("rerank", "-m", NerCommandTest.TASKS.resolve("sentiment").toString(), "-q", "q", "a passage"),
                "cross-encoder");
    }

    @Test
    void helpExplains() {
        var r = CliRunner.run("rerank", "--help");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("/rerank") && r.out().contains("text-embeddings-inference") && r.out().contains("--raw-scores")
                && r.out().contains("--return-text") && r.out().contains("sigmoid"), r.out());
        assertFalse(CliRunner.run("--help").out().lines().noneMatch(l -> l.trim().startsWith("rerank ")), "listed in ./mlm4j --help");
    }
}
