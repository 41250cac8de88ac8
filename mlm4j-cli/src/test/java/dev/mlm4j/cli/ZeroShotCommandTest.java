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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ./mlm4j zero-shot on the tiny NLI checkpoint of mlm4j-core's task fixtures: --json equals transformers 5.18's
 * zero-shot-classification pipeline output recorded in its expected.json (scripts/reference/tasks/make_fixtures.py),
 * quoted by case id; bad input is one line.
 */
class ZeroShotCommandTest {
    static final Path MODEL = NerCommandTest.TASKS.resolve("nli");
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode fixtureCase(String id) throws Exception {
        return NerCommandTest.fixtureCase(MODEL, id);
    }

    /** The command line for a fixture case: its labels joined with commas, its template and multi_label. */
    static String[] args(JsonNode c, String... more) {
        JsonNode kw = c.get("kwargs");
        List<String> labels = new ArrayList<>();
        kw.get("candidate_labels").forEach(l -> labels.add(l.asText()));
        List<String> a = new ArrayList<>(List.of("zero-shot", "-m", MODEL.toString(), "--labels", String.join(",", labels)));
        if (kw.has("hypothesis_template")) a.addAll(List.of("--template", kw.get("hypothesis_template").asText()));
        if (kw.path("multi_label").asBoolean(false)) a.add("--multi-label");
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    static void assertReply(JsonNode want, JsonNode got) {
        List<String> keys = new ArrayList<>();
        got.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("sequence", "labels", "scores"), keys, got.toString());
        assertEquals(want.get("sequence"), got.get("sequence"));
        assertEquals(want.get("labels"), got.get("labels"), got.toString());
        for (int i = 0; i < want.get("scores").size(); i++) {
            assertEquals(want.get("scores").get(i).asDouble(), got.get("scores").get(i).asDouble(), 1e-4, got.toString());
        }
    }

    @Test
    void jsonIsHuggingFacesZeroShotReply() throws Exception {
        JsonNode[] cases = {fixtureCase("zs-0-0"), fixtureCase("zs-0-1"), fixtureCase("zs-0-2"), fixtureCase("zs-0-3")};
        boolean template = false, multi = false;
        for (JsonNode c : cases) {
            template |= c.get("kwargs").has("hypothesis_template");
            multi |= c.get("kwargs").path("multi_label").asBoolean(false);
            if (c.path("near_tie").asBoolean(false)) continue;
            var r = CliRunner.run(args(c, "--json", c.get("input").asText()));
            assertEquals(0, r.exit(), r.err());
            assertReply(c.get("output"), JSON.readTree(r.out()));
        }
        assertTrue(template && multi, "the cases cover --template and --multi-label");
    }

    @Test
    void fileLinesGetOneResultEachAndABlankLineAnErrorRecord(@TempDir Path dir) throws Exception {
        JsonNode c = fixtureCase("zs-0-0");
        Path f = dir.resolve("texts.txt");
        Files.writeString(f, c.get("input").asText() + "\n\n" + c.get("input").asText() + "\n", StandardCharsets.UTF_8);
        var r = CliRunner.run(args(c, "--json", "--file", f.toString()));
        assertEquals(0, r.exit(), r.err());
        JsonNode out = JSON.readTree(r.out());
        assertEquals(3, out.size(), r.out());
        assertReply(c.get("output"), out.get(0));
        assertEquals(2, out.get(1).get("line").asInt());
        assertEquals("empty line", out.get(1).get("error").asText());
        assertReply(c.get("output"), out.get(2));
        assertTrue(r.err().contains("warning: 1 of 3 lines"), r.err());
    }

    @Test
    void aFileShowsProgress(@TempDir Path dir) throws Exception {
        JsonNode c = fixtureCase("zs-0-0");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 80; i++) lines.add(c.get("input").asText());
        Path f = Files.write(dir.resolve("texts.txt"), lines, StandardCharsets.UTF_8);
        System.setProperty("mlm4j.progress", "lines");
        try {
            var r = CliRunner.run(args(c, "--json", "--file", f.toString()));
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.err().contains("classifying texts.txt: 80 texts") && r.err().contains(": done"), r.err());
            JsonNode out = JSON.readTree(r.out());
            assertEquals(80, out.size());
            for (JsonNode o : out) assertReply(c.get("output"), o);
        } finally {
            System.clearProperty("mlm4j.progress");
        }
    }

    @Test
    void tableListsLabelsBestFirst() throws Exception {
        JsonNode c = fixtureCase("zs-0-0");
        var r = CliRunner.run(args(c, c.get("input").asText()));
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals(c.get("input").asText(), lines[0]);
        String best = c.get("output").get("labels").get(0).asText();
        assertTrue(lines[1].startsWith("  " + best + " ") && lines[1].endsWith(String.format(java.util.Locale.ROOT, "%.4f",
                c.get("output").get("scores").get(0).asDouble())), r.out());
    }

    @Test
    void badInputIsOneCleanLine() {
        String m = MODEL.toString();
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("zero-shot", "-m", m, "--labels", " , ", "A text."), "--labels is empty");
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("zero-shot", "-m", m, "--labels", "a,b", "--template", "No label.", "A text."),
                "was not able to be formatted");
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("zero-shot", "-m", m, "A text."), "--labels");
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("zero-shot", "-m", NerCommandTest.TASKS.resolve("sentiment").toString(), "--labels", "a,b", "A text."),
                "no entailment label");
    }

    @Test
    void helpExplains() {
        var r = CliRunner.run("zero-shot", "--help");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("--multi-label") && r.out().contains("This example is {}.") && r.out().contains("\"sequence\""), r.out());
    }
}
