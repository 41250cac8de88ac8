package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * ./mlm4j ner on the tiny NER checkpoint of mlm4j-core's task fixtures: --json equals transformers' token-classification
 * pipeline output recorded in its expected.json (scripts/reference/tasks/make_fixtures.py), and bad input is one line.
 */
class NerCommandTest {
    static final Path TASKS = Path.of("..", "mlm4j-core", "src", "test", "resources", "tasks", "tiny");
    static final Path NER = TASKS.resolve("ner");

    /** The case {@code id} of a task fixture's expected.json ({@code model} one of the {@link #TASKS} folders). */
    static JsonNode fixtureCase(Path model, String id) throws Exception {
        for (JsonNode c : new ObjectMapper().readTree(model.resolve("expected.json").toFile()).get("cases")) {
            if (c.get("id").asText().equals(id)) return c;
        }
        throw new AssertionError("no case " + id);
    }

    static void assertSameEntities(JsonNode want, JsonNode got) {
        assertEquals(want.size(), got.size(), got.toString());
        for (int i = 0; i < want.size(); i++) {
            JsonNode w = want.get(i), g = got.get(i);
            assertEquals(ImmutableKeys.of(w), ImmutableKeys.of(g), g.toString());
            w.fieldNames().forEachRemaining(k -> {
                if (k.equals("score")) assertEquals(w.get(k).asDouble(), g.get(k).asDouble(), 1e-4, g.toString());
                else assertEquals(w.get(k), g.get(k), g.toString());
            });
        }
    }

    private static final class ImmutableKeys {
        static java.util.List<String> of(JsonNode n) {
            java.util.List<String> keys = new java.util.ArrayList<>();
            n.fieldNames().forEachRemaining(keys::add);
            return keys;
        }
    }

    @Test
    void jsonIsHuggingFacesTokenClassificationOutput() throws Exception {
        for (String strategy : new String[]{"none", "simple", "first", "average", "max"}) {
            JsonNode c = fixtureCase(NER, "ner-0-" + strategy);
            var r = CliRunner.run("ner", "-m", NER.toString(), "--aggregation", strategy, "--json", c.get("input").asText());
            assertEquals(0, r.exit(), r.err());
            assertSameEntities(c.get("output"), new ObjectMapper().readTree(r.out()));
        }
    }

    @Test
    void fileLinesGetOneResultEachAndABlankLineAnErrorRecord(@TempDir Path dir) throws Exception {
        JsonNode c = fixtureCase(NER, "ner-0-simple");
        Path f = dir.resolve("texts.txt");
        Files.writeString(f, c.get("input").asText() + "\n\n", StandardCharsets.UTF_8);
        var r = CliRunner.run("ner", "-m", NER.toString(), "-a", "simple", "--json", "--file", f.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode out = new ObjectMapper().readTree(r.out());
        assertEquals(2, out.size(), r.out());
        assertSameEntities(c.get("output"), out.get(0));
        assertEquals(2, out.get(1).get("line").asInt());
        assertTrue(r.err().contains("warning"), r.err());
    }

    @Test
    void plainOutputListsLabelScoreSpanAndWord() {
        var r = CliRunner.run("ner", "-m", NER.toString(), "-a", "simple", "My name is Wolfgang and I live in Berlin.");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("My name is Wolfgang and I live in Berlin.\n"), r.out());
        assertTrue(r.out().contains("   11..19   Wolfgang"), r.out());
    }

    @Test
    void aModelThatIsNotATokenClassifierIsOneCleanLine(@TempDir Path dir) throws Exception {
        try (var files = Files.list(NER)) {
            for (Path f : files.toList()) Files.copy(f, dir.resolve(f.getFileName()));
        }
        Path config = dir.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("BertForTokenClassification", "BertModel"));
        var r = CliRunner.run("ner", "-m", dir.toString(), "Berlin");
        FillMaskCommandTest.assertCleanFailure(r, "not a token classifier");
    }

    @Test
    void badOptionsAreOneCleanLine() {
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("ner", "-m", NER.toString(), "--aggregation", "best", "Berlin"),
                "unknown aggregation strategy 'best'");
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("ner", "-m", NER.toString(), "--stride", "16", "Berlin"),
                "stride needs an aggregation strategy");
        // 0 is a stride too (windows side by side), refused with aggregation none as transformers does
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("ner", "-m", NER.toString(), "--stride", "0", "Berlin"),
                "stride needs an aggregation strategy");
    }

    @Test
    void strideZeroTagsTheWholeOfALongTextWhileNoStrideTruncates() throws Exception {
        // ner-31's text is 584 content tokens: without --stride the entities past 510 are lost (as transformers), with
        // --stride 0 the text is tagged to its end (3172 characters), as transformers' stride=0
        String text = fixtureCase(NER, "ner-31-simple").get("input").asText();
        var truncated = CliRunner.run("ner", "-m", NER.toString(), "-a", "simple", "--json", text);
        var windowed = CliRunner.run("ner", "-m", NER.toString(), "-a", "simple", "--stride", "0", "--json", text);
        assertEquals(0, truncated.exit(), truncated.err());
        assertEquals(0, windowed.exit(), windowed.err());
        JsonNode cut = new ObjectMapper().readTree(truncated.out()), all = new ObjectMapper().readTree(windowed.out());
        assertEquals(3172, text.length());
        assertTrue(cut.get(cut.size() - 1).get("end").asInt() < 2800, truncated.out());
        assertEquals(3172, all.get(all.size() - 1).get("end").asInt(), windowed.out());
    }

    @Test
    void helpExplains() {
        var r = CliRunner.run("ner", "--help");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("--aggregation") && r.out().contains("entity_group"), r.out());
    }
}
