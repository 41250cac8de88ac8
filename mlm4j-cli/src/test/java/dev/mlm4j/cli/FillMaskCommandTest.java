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

    /**
     * {@code ./mlm4j fill-mask --model FOLDER --json -k 5} on each text of {@code expected}'s {@code fill_mask} (a family
     * fixture's expected.json): transformers' fill-mask top-5, token ids and strings exactly, scores within 1e-4.
     */
    static void fillMaskEqualsTransformers(Path folder, JsonNode expected) throws Exception {
        for (JsonNode f : expected.get("fill_mask")) {
            String label = folder.getFileName() + ": " + f.get("text").asText();
            var r = CliRunner.run("fill-mask", "--model", folder.toString(), "--json", "-k", "5", f.get("text").asText());
            assertEquals(0, r.exit(), r.err());
            JsonNode got = new ObjectMapper().readTree(r.out());
            JsonNode want = f.get("predictions");
            assertEquals(want.size(), got.size(), r.out());
            for (int i = 0; i < want.size(); i++) {
                assertEquals(want.get(i).get("token").asInt(), got.get(i).get("token").asInt(), label);
                assertEquals(want.get(i).get("token_str").asText(), got.get(i).get("token_str").asText(), label);
                assertEquals(want.get(i).get("score").asDouble(), got.get(i).get("score").asDouble(), 1e-4, label);
            }
        }
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
    void severalMasksKeepTheOtherMasksInEachSequenceAsHuggingFaceDoes() throws Exception {
        // issue 14, item 3: Hugging Face's pipeline gives "[CLS] the man sat on the [MASK]. [SEP]" (skip_special_tokens=single_mask)
        var r = CliRunner.run("fill-mask", "-k", "1", "The [MASK] sat on the [MASK].");
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().split("\n");
        assertTrue(lines[2].matches("\\s+1\\. man\\s+0\\.\\d{4}  \\[CLS\\] the man sat on the \\[MASK\\]\\. \\[SEP\\]"), lines[2]);
        assertTrue(lines[4].endsWith("  [CLS] the [MASK] sat on the " + lines[4].trim().split("\\s+")[1] + ". [SEP]"), lines[4]);

        var j = CliRunner.run("fill-mask", "--json", "-k", "2", "The [MASK] sat on the [MASK].");
        assertEquals(0, j.exit(), j.err());
        JsonNode n = new ObjectMapper().readTree(j.out());
        assertEquals(2, n.size(), "one list per mask");
        assertEquals("[CLS] the man sat on the [MASK]. [SEP]", n.get(0).get(0).get("sequence").asText());
        assertEquals("man", n.get(0).get(0).get("token_str").asText());
        String second = n.get(1).get(0).get("token_str").asText();
        assertEquals("[CLS] the [MASK] sat on the " + second + ". [SEP]", n.get(1).get(0).get("sequence").asText());
    }

    @Test
    void aTargetOutsideTheVocabularyIsReplacedWithHuggingFacesWarning() {
        var r = CliRunner.run("fill-mask", "--targets", "capital,xyzzyplugh", "Paris is the [MASK] of France.");
        assertEquals(0, r.exit(), r.err());
        assertEquals("mlm4j: warning: The specified target token `xyzzyplugh` does not exist in the model vocabulary. Replacing with `x`.\n", r.err());
        assertTrue(r.out().contains(" x "), r.out());
    }

    @Test
    void aTooLongTextNamesTheCliFlag() {
        var r = CliRunner.run("fill-mask", "word ".repeat(600) + "[MASK]");
        assertCleanFailure(r, "; use --truncate to keep its first 512");
        assertFalse(r.err().contains("truncate=true"), r.err());
    }

    @Test
    void everyLineGetsOneResultAndABadLineAnErrorInItsPlace(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("in.txt"), "The man worked as a [MASK].\n\nNo mask here.\nHello I'm a [MASK] model.\n");
        var r = CliRunner.run("fill-mask", "--file", f.toString(), "-k", "1");
        assertEquals(0, r.exit(), r.err());
        String[] blocks = r.out().split("\n\n");
        assertEquals(4, blocks.length, r.out());
        assertTrue(blocks[0].startsWith("line 1: The man worked as a [MASK].\n   1. carpenter"), blocks[0]);
        assertEquals("line 2: \n  error: empty line", blocks[1]);
        assertEquals("line 3: No mask here.\n  error: no [MASK] token in text 'No mask here.'", blocks[2]);
        assertTrue(blocks[3].startsWith("line 4: Hello I'm a [MASK] model.\n   1. fashion"), blocks[3]);
        assertEquals("mlm4j: warning: 2 of 4 lines have an error instead of predictions (line 2: empty line, …)\n", r.err());

        var j = CliRunner.run("fill-mask", "--json", "--file", f.toString(), "-k", "1");
        assertEquals(0, j.exit(), j.err());
        JsonNode n = new ObjectMapper().readTree(j.out());
        assertEquals(4, n.size(), "entry i is line i + 1");
        assertEquals("carpenter", n.get(0).get(0).get("token_str").asText());
        assertEquals("{\"line\":2,\"error\":\"empty line\"}", n.get(1).toString());
        assertEquals(3, n.get(2).get("line").asInt());
        assertEquals("fashion", n.get(3).get(0).get("token_str").asText());

        assertCleanFailure(CliRunner.run("fill-mask", ""), "text argument 1 is empty");
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
        assertCleanFailure(CliRunner.run("fill-mask", "--file", dir.toString()), "is a folder, not a file");
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
