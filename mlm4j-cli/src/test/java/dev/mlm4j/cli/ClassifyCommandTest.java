package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ./mlm4j classify on the tiny sentiment checkpoint of mlm4j-core's task fixtures; the expected replies are that
 * fixture's expected.json cases (transformers 5.18's text-classification pipeline), quoted by id.
 */
class ClassifyCommandTest {

    static final String MODEL = Path.of("..", "mlm4j-core", "src", "test", "resources", "tasks", "tiny", "sentiment")
            .toAbsolutePath().normalize().toString();
    static final String TEXT = "I absolutely loved this movie, the acting was wonderful.";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static void assertReply(String expected, String out) throws Exception {
        JsonNode want = JSON.readTree(expected), got = JSON.readTree(out);
        assertEquals(want.isArray(), got.isArray(), out);
        JsonNode w = want.isArray() ? want : JSON.createArrayNode().add(want), g = got.isArray() ? got : JSON.createArrayNode().add(got);
        assertEquals(w.size(), g.size(), out);
        for (int i = 0; i < w.size(); i++) {
            assertEquals(w.get(i).get("label").asText(), g.get(i).get("label").asText(), out);
            assertEquals(w.get(i).get("score").asDouble(), g.get(i).get("score").asDouble(), 1e-4, out);
        }
    }

    @Test
    void jsonWithoutTopKIsHuggingFacesLegacyListOfOne() throws Exception {
        var r = CliRunner.run("classify", "-m", MODEL, "--json", TEXT);
        assertEquals(0, r.exit(), r.err());
        assertReply("[{\"label\": \"POSITIVE\", \"score\": 0.8724667429924011}]", r.out());   // tc-0-0
    }

    @Test
    void topKAllAndFunctionNone() throws Exception {
        var r = CliRunner.run("classify", "-m", MODEL, "--json", "--top-k", "all", TEXT);
        assertEquals(0, r.exit(), r.err());
        assertReply("[{\"label\": \"POSITIVE\", \"score\": 0.8724667429924011}, {\"label\": \"NEGATIVE\", \"score\": 0.12753325700759888}]", r.out()); // tc-0-1
        r = CliRunner.run("classify", "-m", MODEL, "--json", "--top-k", "all", "--function", "none", TEXT);
        assertReply("[{\"label\": \"POSITIVE\", \"score\": 0.6492854356765747}, {\"label\": \"NEGATIVE\", \"score\": -1.2736619710922241}]", r.out()); // tc-0-5
    }

    @Test
    void aPairWithoutTopKIsABareDict() throws Exception {
        var r = CliRunner.run("classify", "-m", MODEL, "--json", "--pair", "Someone is performing music.", "A man is playing a guitar on stage.");
        assertEquals(0, r.exit(), r.err());
        assertTrue(JSON.readTree(r.out()).isObject(), r.out());
        assertReply("{\"label\": \"POSITIVE\", \"score\": 0.8343201875686646}", r.out());   // tc-26-156
    }

    @Test
    void severalLinesGiveOneEntryEachAndABlankLineAnErrorRecord() throws Exception {
        Path f = tmp.resolve("texts.txt");
        Files.writeString(f, TEXT + "\n\nThis was the worst meal I have ever had.\n");
        var r = CliRunner.run("classify", "-m", MODEL, "--json", "--file", f.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode out = JSON.readTree(r.out());
        assertEquals(3, out.size(), r.out());
        assertReply("{\"label\": \"POSITIVE\", \"score\": 0.8724667429924011}", out.get(0).toString());
        assertEquals("empty line", out.get(1).get("error").asText());
        assertReply("{\"label\": \"POSITIVE\", \"score\": 0.9306462407112122}", out.get(2).toString());   // tc-1-6
        assertTrue(r.err().contains("warning: 1 of 3 lines"), r.err());
    }

    @Test
    void plainTextShowsLabelsAndScores() {
        var r = CliRunner.run("classify", "-m", MODEL, "-k", "2", TEXT);
        assertEquals(0, r.exit(), r.err());
        assertEquals(TEXT + "\n  POSITIVE  0.8725\n  NEGATIVE  0.1275\n", r.out());
    }

    @Test
    void badInputIsOneCleanLine() {
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("classify", "-m", MODEL, "--top-k", "many", TEXT), "--top-k 'many'");
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("classify", "-m", MODEL, "--function", "relu", TEXT), "function 'relu'");
        for (String blank : new String[]{"", "   "}) {
            FillMaskCommandTest.assertCleanFailure(CliRunner.run("classify", "-m", MODEL, "--pair", blank, TEXT), "--pair is empty");
        }
        String mlm = Path.of("..", "mlm4j-core", "src", "test", "resources", "fixtures", "hf-tiny-bert").toAbsolutePath().normalize().toString();
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("classify", "-m", mlm, TEXT), "not a sequence classifier");
    }

    @Test
    void helpExplains() {
        var r = CliRunner.run("classify", "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("text-classification") && r.out().contains("--top-k") && r.out().contains("--pair")
                && r.out().contains("--function"), r.out());
    }
}
