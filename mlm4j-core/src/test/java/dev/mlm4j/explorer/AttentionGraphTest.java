package dev.mlm4j.explorer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Token graphs on a small hand-made attention matrix: pruning, special tokens, statistics, and the three formats. */
class AttentionGraphTest {
    static final List<Token> TOKENS = List.of(
            new Token(0, "[CLS]", -1, -1, true, -1),
            new Token(1, "o", 0, 1, false, 0),
            new Token(2, "cão", 2, 5, false, 0),
            new Token(3, "\"corre\" & <b>", 6, 19, false, 0),
            new Token(4, "[SEP]", -1, -1, true, -1));

    static final double[][] A = {
            {0.50, 0.10, 0.10, 0.10, 0.20},
            {0.20, 0.20, 0.40, 0.10, 0.10},
            {0.10, 0.60, 0.10, 0.10, 0.10},
            {0.00, 0.25, 0.25, 0.25, 0.25},
            {0.30, 0.30, 0.00, 0.00, 0.40}};

    static AttentionGraph graph() {
        return AttentionGraph.of("test head", TOKENS, A);
    }

    @Test
    void edgesAreTheNonZeroWeightsAndPruningThinsThemByThresholdAndTopK() {
        AttentionGraph g = graph();
        assertEquals(22, g.edges().size(), "25 entries, 3 of them zero");
        assertEquals(new AttentionGraph.Edge(1, 2, 0.40), g.edges().stream().filter(e -> e.source() == 1).findFirst().orElseThrow(),
                "each row's heaviest edge comes first");
        assertEquals(5, g.pruned(Pruning.topK(1)).edges().size());
        assertEquals(List.of(new AttentionGraph.Edge(0, 0, 0.5), new AttentionGraph.Edge(1, 2, 0.4), new AttentionGraph.Edge(2, 1, 0.6),
                new AttentionGraph.Edge(4, 4, 0.4)), g.pruned(Pruning.threshold(0.4)).edges());
        assertEquals(4, g.pruned(Pruning.threshold(0.3).andTopK(1)).edges().size(), "row 3 has nothing ≥ 0.3");
        assertArrayEquals(g.inStrength(), g.pruned(Pruning.topK(1)).inStrength(), "pruning leaves the statistics alone");
    }

    @Test
    void inStrengthIsTheColumnSumAndEntropyIsPerRowInNats() {
        AttentionGraph g = graph();
        assertArrayEquals(new double[] {1.10, 1.45, 0.85, 0.55, 1.05}, g.inStrength(), 1e-12);
        assertArrayEquals(new double[] {1, 1, 1, 1, 1}, g.outStrength(), 1e-12);
        assertEquals(Math.log(4), g.rowEntropy()[3], 1e-12, "an even spread over 4 tokens");
        double row4 = -(0.3 * Math.log(0.3) * 2 + 0.4 * Math.log(0.4));
        assertEquals(row4, g.rowEntropy()[4], 1e-12);
    }

    @Test
    void droppingSpecialTokensKeepsTheWordsAndCanRenormaliseTheirRows() {
        AttentionGraph raw = graph().withoutSpecialTokens(false);
        assertEquals(List.of(1, 2, 3), raw.nodes().stream().map(Token::index).toList());
        assertEquals(0.7, raw.outStrength()[0], 1e-12);
        AttentionGraph g = graph().withoutSpecialTokens(true);
        assertArrayEquals(new double[] {1, 1, 1}, g.outStrength(), 1e-12);
        assertEquals(0.4 / 0.7, g.weight(0, 1), 1e-12);
        assertEquals(2, g.edges().getFirst().target(), "edges keep the tokens' own indices");
        assertTrue(g.label().contains("renormalised"));
    }

    @Test
    void jsonCarriesNodesWithStatisticsAndTheKeptEdges() throws Exception {
        JsonNode j = new ObjectMapper().readTree(graph().pruned(Pruning.topK(2)).toJson());
        assertEquals(5, j.get("nodes").size());
        assertEquals(10, j.get("edges").size());
        assertEquals("cão", j.get("nodes").get(2).get("text").asText());
        assertEquals(1.45, j.get("nodes").get(1).get("inStrength").asDouble(), 1e-12);
        assertEquals("t1", j.get("edges").get(2).get("source").asText());
        assertEquals("t2", j.get("edges").get(2).get("target").asText());
    }

    @Test
    void graphMLParsesWithTheExpectedNodesAndEdges() throws Exception {
        AttentionGraph g = graph().pruned(Pruning.threshold(0.2));
        Document d = DocumentBuilderFactory.newDefaultNSInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(g.toGraphML().getBytes(StandardCharsets.UTF_8)));
        assertEquals("graphml", d.getDocumentElement().getLocalName());
        NodeList nodes = d.getElementsByTagNameNS("http://graphml.graphdrawing.org/xmlns", "node");
        NodeList edges = d.getElementsByTagNameNS("http://graphml.graphdrawing.org/xmlns", "edge");
        assertEquals(5, nodes.getLength());
        assertEquals(g.edges().size(), edges.getLength());
        assertEquals(13, edges.getLength(), "2 + 3 + 1 + 4 + 3 weights ≥ 0.2");
        Element third = (Element) nodes.item(3);
        assertEquals("\"corre\" & <b>", third.getElementsByTagNameNS("*", "data").item(0).getTextContent(), "markup in a token survives escaping");
    }

    @Test
    void dotIsAcceptedByGraphviz(@TempDir Path dir) throws Exception {
        Path dot = dir.resolve("g.dot");
        Files.writeString(dot, graph().withoutSpecialTokens(true).pruned(Pruning.topK(2)).toDot());
        Path svg = dir.resolve("g.svg");
        Process p = new ProcessBuilder("dot", "-Tsvg", "-o", svg.toString(), dot.toString()).redirectErrorStream(true).start();
        String messages = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "dot did not finish");
        assertEquals(0, p.exitValue(), "dot rejected the file: " + messages);
        assertEquals("", messages.strip(), "dot printed warnings");
        String out = Files.readString(svg);
        assertTrue(out.contains("cão"), "node labels reach the drawing");
        assertEquals(6, out.split("class=\"edge\"", -1).length - 1, "3 nodes × top-2 edges");
    }

    @Test
    void badMatricesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> AttentionGraph.of("x", TOKENS, new double[4][5]));
        double[][] neg = new double[5][5];
        neg[1][2] = -0.1;
        assertThrows(IllegalArgumentException.class, () -> AttentionGraph.of("x", TOKENS, neg));
        assertThrows(IllegalArgumentException.class, () -> new Pruning(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Pruning(0, -2));
    }
}
