package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** ./mlm4j attention on the real bert-base-uncased: every output format read back by its own tools, and clean failures. */
class AttentionCommandTest {
    static final String TEXT = "The dog chased the cat because it was [MASK].";
    static final int TOKENS = 12; // [CLS] the dog chased the cat because it was [MASK] . [SEP]

    static void assertCleanFailure(CliRunner.Result r, String expected) {
        assertNotEquals(0, r.exit(), "exit code");
        assertTrue(r.err().startsWith("mlm4j: "), r.err());
        assertEquals(1, r.err().strip().lines().filter(l -> l.startsWith("mlm4j: ")).count(), "one line: " + r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "no stack trace: " + r.err());
        assertEquals("", r.out(), "nothing half-printed on stdout");
    }

    static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void printsTheHeadAndWritesGraphMLThatParsesWithTheExpectedCounts(@TempDir Path dir) throws Exception {
        Path g = dir.resolve("g.graphml"), j = dir.resolve("g.json");
        var r = CliRunner.run("attention", TEXT, "--layer", "2", "--head", "0", "--graphml", g.toString(), "--json", j.toString(), "--top-edges", "3");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("bert-base-uncased · layer 2, head 0 · bidirectional · 12 tokens\n"), r.out());
        assertTrue(r.out().contains("[MASK] at token 9 (bidirectional):"), r.out());
        Document d = DocumentBuilderFactory.newDefaultNSInstance().newDocumentBuilder().parse(g.toFile());
        assertEquals(TOKENS, d.getElementsByTagNameNS("http://graphml.graphdrawing.org/xmlns", "node").getLength());
        assertEquals(3 * TOKENS, d.getElementsByTagNameNS("http://graphml.graphdrawing.org/xmlns", "edge").getLength());
        JsonNode json = new ObjectMapper().readTree(j.toFile());
        assertEquals(TOKENS, json.get("nodes").size());
        assertEquals(3 * TOKENS, json.get("edges").size());
        assertEquals("dog", json.get("nodes").get(2).get("text").asText());
        // Layer 2 head 0 of bert-base-uncased attends to the next token: "dog" → "chased" is its heaviest edge.
        JsonNode first = json.get("edges").get(3 * 2);
        assertEquals("t2", first.get("source").asText());
        assertEquals("t3", first.get("target").asText());
        assertTrue(first.get("weight").asDouble() > 0.9, first.toString());
        assertEquals(List.of("g.graphml", "g.json"), files(dir), "no temporary files left");
    }

    @Test
    void writesDotThatGraphvizAccepts(@TempDir Path dir) throws Exception {
        Path dot = dir.resolve("g.dot");
        var r = CliRunner.run("attention", TEXT, "--layer", "5", "--head", "mean", "--drop-special", "--top-edges", "2", "--dot", dot.toString());
        assertEquals(0, r.exit(), r.err());
        Path svg = dir.resolve("g.svg");
        Process p = new ProcessBuilder("dot", "-Tsvg", "-o", svg.toString(), dot.toString()).redirectErrorStream(true).start();
        String messages = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), messages);
        String drawn = Files.readString(svg);
        assertEquals(2 * (TOKENS - 2), drawn.split("class=\"edge\"", -1).length - 1);
        assertTrue(drawn.contains("chased"));
    }

    @Test
    void rolloutAndFlowGraphs(@TempDir Path dir) throws Exception {
        Path roll = dir.resolve("rollout.json"), flow = dir.resolve("flow.json");
        assertEquals(0, CliRunner.run("attention", TEXT, "--graph", "rollout", "--json", roll.toString()).exit());
        JsonNode r = new ObjectMapper().readTree(roll.toFile());
        assertTrue(r.get("label").asText().startsWith("attention rollout over 12 layers"));
        assertEquals(TOKENS * TOKENS, r.get("edges").size(), "rollout mixes every token into every other");
        var f = CliRunner.run("attention", TEXT, "--graph", "flow", "--flow-target", "0", "--json", flow.toString());
        assertEquals(0, f.exit(), f.err());
        JsonNode fj = new ObjectMapper().readTree(flow.toFile());
        assertEquals(TOKENS, fj.get("edges").size());
        for (JsonNode e : fj.get("edges")) assertEquals("t0", e.get("source").asText(), "every flow edge goes into [CLS]");
    }

    @Test
    void pngAndSvgOpen(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("h.png"), svg = dir.resolve("h.svg"), gridPng = dir.resolve("grid.png");
        var r = CliRunner.run("attention", TEXT, "--layer", "2", "--head", "0", "--png", png.toString(), "--svg", svg.toString());
        assertEquals(0, r.exit(), r.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img);
        assertTrue(r.out().contains("heatmap, " + img.getWidth() + "×" + img.getHeight() + " px"), r.out());
        Document d = DocumentBuilderFactory.newDefaultNSInstance().newDocumentBuilder().parse(svg.toFile());
        assertEquals(TOKENS * TOKENS, d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "title").getLength());
        var g = CliRunner.run("attention", TEXT, "--grid", "--png", gridPng.toString());
        assertEquals(0, g.exit(), g.err());
        BufferedImage grid = ImageIO.read(gridPng.toFile());
        assertTrue(g.out().contains("grid of all layers × heads, " + grid.getWidth() + "×" + grid.getHeight() + " px"), g.out());
        assertTrue(grid.getHeight() > 12 * 36, "12 rows of panels");
    }

    @Test
    void compareSaysHowTheGuessAndTheEntropyChange(@TempDir Path dir) throws Exception {
        Path html = dir.resolve("page.html");
        var r = CliRunner.run("attention", TEXT, "--layer", "2", "--head", "0", "--compare", "--html", html.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\nbidirectional versus causal:\n  [MASK] at token 9: bidirectional '"), r.out());
        assertTrue(r.out().contains("row entropy, layer 2 head 0 (nats): bidirectional mean "), r.out());
        String page = Files.readString(html);
        assertTrue(page.contains("\"causal\":[[[") && page.contains("\"bidirectional\":[[["), "both runs embedded");
        var c = CliRunner.run("attention", TEXT, "--causal", "--layer", "0", "--head", "0");
        assertEquals(0, c.exit(), c.err());
        String cls = c.out().lines().filter(l -> l.startsWith("[CLS]  ")).findFirst().orElseThrow();
        assertTrue(cls.matches("\\[CLS]\\s+1\\.00(\\s+0\\.00){11}"), "causal [CLS] row: " + cls);
    }

    @Test
    void rankListsTheNextTokenHeads() {
        var r = CliRunner.run("attention", TEXT, "--rank", "next");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("heads ranked by mean attention to the next token (bidirectional):\n  layer  2 head  "), r.out());
    }

    @Test
    void layerOrHeadOutOfRange(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("x.png");
        assertCleanFailure(CliRunner.run("attention", TEXT, "--layer", "12", "--png", png.toString()),
                "layer 12 is out of range: the model has 12 layers (0–11)");
        assertCleanFailure(CliRunner.run("attention", TEXT, "--head", "-3"), "head -3 is out of range");
        assertCleanFailure(CliRunner.run("attention", TEXT, "--head", "twelve"), "--head must be a number or 'mean'");
        assertEquals(List.of(), files(dir), "nothing written");
    }

    @Test
    void textOverTheModelsMaximum(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("g.json");
        assertCleanFailure(CliRunner.run("attention", "word ".repeat(700), "--json", json.toString()),
                "the text is 702 tokens long, over the model's maximum of 512 tokens");
        assertEquals(List.of(), files(dir));
    }

    @Test
    void outputThatCannotBeWritten(@TempDir Path dir) throws Exception {
        Path ok = dir.resolve("ok.json"), bad = dir.resolve("missing-folder").resolve("g.graphml");
        assertCleanFailure(CliRunner.run("attention", TEXT, "--json", ok.toString(), "--graphml", bad.toString()),
                "cannot write " + bad);
        assertCleanFailure(CliRunner.run("attention", TEXT, "--png", dir.toString()), "it is a folder");
        assertEquals(List.of(), files(dir), "checked before anything is written: no half set of outputs");
    }

    @Test
    void otherBadRequests() {
        assertCleanFailure(CliRunner.run("attention", TEXT, "--graph", "pagerank", "--json", "x.json"), "--graph must be head, rollout or flow");
        assertCleanFailure(CliRunner.run("attention", TEXT, "--grid"), "--grid draws into --png or --svg");
        assertCleanFailure(CliRunner.run("attention", TEXT, "--graph", "flow", "--flow-target", "40", "--json", "/tmp/mlm4j-never-written.json"),
                "flow target 40 is out of range");
        assertFalse(Files.exists(Path.of("/tmp/mlm4j-never-written.json")));
        assertCleanFailure(CliRunner.run("attention", "   "), "the text is empty");
        assertCleanFailure(CliRunner.run("attention", TEXT, "--graph", "flow", "--drop-special", "--json", "/tmp/mlm4j-never-written.json"),
                "--drop-special would drop the flow's target token 0 ([CLS])");
    }
}
