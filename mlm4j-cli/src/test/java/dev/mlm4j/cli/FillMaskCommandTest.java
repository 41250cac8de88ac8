package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** ./mlm4j fill-mask as a user runs it: numbers from Hugging Face's model card, and every bad input one clean line. */
class FillMaskCommandTest {

    static void assertCleanFailure(CliRunner.Result r, String expectedInMessage) {
        assertNotEquals(0, r.exit(), "exit code");
        assertTrue(r.err().startsWith("mlm4j: "), r.err());
        assertTrue(r.err().contains(expectedInMessage), "expected '" + expectedInMessage + "' in: " + r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception:"), "no stack trace: " + r.err());
        assertEquals("", r.out(), "nothing half-printed on stdout");
    }

    @Test
    void printsTheModelCardNumbers() {
        var r = CliRunner.run("fill-mask", "Hello I'm a [MASK] model.");
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals("Hello I'm a [MASK] model.", lines[0]);
        assertTrue(lines[1].matches("\\s+1\\. fashion\\s+0\\.107[2-4]\\s+hello i'm a fashion model\\."), lines[1]);
        assertTrue(lines[2].matches("\\s+2\\. role\\s+0\\.08(7[6-9]|8[0-8])\\s+.*"), lines[2]);
    }

    @Test
    void int8WeightsGiveTheSameTopWord() {
        var r = CliRunner.run("fill-mask", "--int8", "-k", "1", "Paris is the [MASK] of France.");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().split("\n")[1].matches("\\s+1\\. capital\\s+0\\.\\d+\\s+.*"), r.out());
    }

    @Test
    void jsonHasHuggingFacesShape() throws Exception {
        var r = CliRunner.run("fill-mask", "--json", "-k", "3", "The woman worked as a [MASK].");
        assertEquals(0, r.exit(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertTrue(n.isArray());
        assertEquals(3, n.size());
        assertEquals("nurse", n.get(0).get("token_str").asText());
        assertEquals(0.2198, n.get(0).get("score").asDouble(), 1e-3);
        assertEquals("the woman worked as a nurse.", n.get(0).get("sequence").asText());
        assertTrue(n.get(0).get("token").isInt());
    }

    @Test
    void textsFromAFileAndFromStdin(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("in.txt");
        Files.writeString(f, "The man worked as a [MASK].\n\nHello I'm a [MASK] model.\n");
        var r = CliRunner.run("fill-mask", "--file", f.toString(), "-k", "1");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("carpenter") && r.out().contains("fashion"), r.out());
        var s = CliRunner.runWithStdin("The woman worked as a [MASK].\n".getBytes(StandardCharsets.UTF_8), "fill-mask", "--file", "-", "-k", "1");
        assertEquals(0, s.exit(), s.err());
        assertTrue(s.out().contains("nurse"), s.out());
    }

    @Test
    void badInputGetsOneLineAndNonZeroExit(@TempDir Path dir) throws Exception {
        assertCleanFailure(CliRunner.run("fill-mask", "No mask in this text."), "no [MASK]");
        assertCleanFailure(CliRunner.run("fill-mask", "word ".repeat(600) + "[MASK]"), "512");
        assertCleanFailure(CliRunner.run("fill-mask", "--model", "bert-large-nonexistent", "a [MASK]"), "known: bert-base-uncased");
        Path empty = Files.createDirectory(dir.resolve("not-a-model"));
        assertCleanFailure(CliRunner.run("fill-mask", "--model", empty.toString(), "a [MASK]"), "is not a model folder");
        assertCleanFailure(CliRunner.run("fill-mask", "--model", dir.resolve("missing").toString(), "a [MASK]"), "no such model folder");
        Path emptyFile = Files.writeString(dir.resolve("empty.txt"), "\n\n");
        assertCleanFailure(CliRunner.run("fill-mask", "--file", emptyFile.toString()), "no input text");
        byte[] bad = {'a', ' ', '[', 'M', 'A', 'S', 'K', ']', '\n', (byte) 0xC3, (byte) 0x28, '\n'};
        assertCleanFailure(CliRunner.runWithStdin(bad, "fill-mask", "--file", "-"), "not valid UTF-8 (line 2");
        assertCleanFailure(CliRunner.run("fill-mask", "-k", "0", "a [MASK]"), "top-k");
        assertCleanFailure(CliRunner.run("fill-mask", "--no-such-flag", "a [MASK]"), "Unknown option");
    }

    @Test
    void corruptCheckpointIsNamed(@TempDir Path dir) throws Exception {
        // A copy of bert-base-uncased's folder whose weights file is cut short.
        Path src = dev.mlm4j.pipelines.Models.resolve("bert-base-uncased", dev.mlm4j.util.ProgressListener.NONE);
        Path copy = dir.resolve("broken-bert");
        Files.createDirectories(copy.resolve("variables"));
        Files.createDirectories(copy.resolve("assets"));
        for (String f : new String[] {"assets/vocab.txt", "assets/model.json", "variables/variables.index"}) Files.copy(src.resolve(f), copy.resolve(f));
        try (var in = Files.newInputStream(src.resolve("variables/variables.data-00000-of-00001"));
             var out = Files.newOutputStream(copy.resolve("variables/variables.data-00000-of-00001"))) {
            out.write(in.readNBytes(1_000_000));
        }
        assertCleanFailure(CliRunner.run("fill-mask", "--model", copy.toString(), "a [MASK]"), "variables.data-00000-of-00001");
    }
}
