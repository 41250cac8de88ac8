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
 * ./mlm4j answer on the tiny QA checkpoint of mlm4j-core's task fixtures: --json equals the question-answering reply
 * recorded in its expected.json (transformers 4.57.6's span rules on transformers' logits, made by
 * scripts/reference/tasks/make_fixtures.py), --file gives one JSON line per input line, and bad input is one line.
 */
class AnswerCommandTest {
    static final Path QA = NerCommandTest.TASKS.resolve("qa");
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode fixtureCase(String id) throws Exception {
        return NerCommandTest.fixtureCase(QA, id);
    }

    /** HF's reply (an object, or a list for several answers): keys, answers and offsets exactly, scores within 1e-4. */
    static void assertSameReply(JsonNode want, JsonNode got) {
        assertEquals(want.isArray(), got.isArray(), got.toString());
        List<JsonNode> w = new ArrayList<>(), g = new ArrayList<>();
        if (want.isArray()) want.forEach(w::add); else w.add(want);
        if (got.isArray()) got.forEach(g::add); else g.add(got);
        assertEquals(w.size(), g.size(), got.toString());
        for (int i = 0; i < w.size(); i++) {
            JsonNode a = w.get(i), b = g.get(i);
            List<String> ka = new ArrayList<>(), kb = new ArrayList<>();
            a.fieldNames().forEachRemaining(ka::add);
            b.fieldNames().forEachRemaining(kb::add);
            assertEquals(ka, kb, got.toString());
            for (String k : ka) {
                if (k.equals("score")) assertEquals(a.get(k).asDouble(), b.get(k).asDouble(), 1e-4, got.toString());
                else assertEquals(a.get(k), b.get(k), got.toString());
            }
        }
    }

    static String[] args(JsonNode c, String... more) {
        List<String> a = new ArrayList<>(List.of("answer", "-m", QA.toString(), "--json",
                "--question", c.get("input").get("question").asText(), "--context", c.get("input").get("context").asText()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void jsonIsHuggingFacesQuestionAnsweringReply() throws Exception {
        JsonNode c = fixtureCase("qa-0-0");   // {}: one answer, an object
        var r = CliRunner.run(args(c));
        assertEquals(0, r.exit(), r.err());
        assertSameReply(c.get("output"), JSON.readTree(r.out()));
        c = fixtureCase("qa-0-1");            // top_k 3: a list
        r = CliRunner.run(args(c, "--top-k", "3"));
        assertEquals(0, r.exit(), r.err());
        assertSameReply(c.get("output"), JSON.readTree(r.out()));
        c = fixtureCase("qa-0-6");            // windows of 96 tokens, stride 48, top_k 4
        r = CliRunner.run(args(c, "--max-seq-len", "96", "--doc-stride", "48", "--top-k", "4"));
        assertEquals(0, r.exit(), r.err());
        assertSameReply(c.get("output"), JSON.readTree(r.out()));
        c = fixtureCase("qa-0-7");            // align_to_words false
        r = CliRunner.run(args(c, "--no-align-to-words", "--top-k", "3"));
        assertEquals(0, r.exit(), r.err());
        assertSameReply(c.get("output"), JSON.readTree(r.out()));
    }

    @Test
    void everyOptionNamesHuggingFacesParameter() throws Exception {
        for (JsonNode c : JSON.readTree(QA.resolve("expected.json").toFile()).get("cases")) {
            if (!c.get("id").asText().startsWith("qa-3-")) continue;     // one question with every kwargs variant
            List<String> more = new ArrayList<>();
            c.get("kwargs").fields().forEachRemaining(f -> {
                switch (f.getKey()) {
                    case "align_to_words" -> more.add(f.getValue().asBoolean() ? "--align-to-words" : "--no-align-to-words");
                    case "handle_impossible_answer" -> { if (f.getValue().asBoolean()) more.add("--handle-impossible-answer"); }
                    default -> {
                        more.add("--" + f.getKey().replace('_', '-'));
                        more.add(f.getValue().asText());
                    }
                }
            });
            var r = CliRunner.run(args(c, more.toArray(String[]::new)));
            assertEquals(0, r.exit(), r.err());
            assertSameReply(c.get("output"), JSON.readTree(r.out()));
        }
    }

    @Test
    void contextFromAFile(@TempDir Path dir) throws Exception {
        JsonNode c = fixtureCase("qa-0-0");
        Path f = dir.resolve("context.txt");
        Files.writeString(f, c.get("input").get("context").asText(), StandardCharsets.UTF_8);
        var r = CliRunner.run("answer", "-m", QA.toString(), "--json", "-q", c.get("input").get("question").asText(), "--context-file", f.toString());
        assertEquals(0, r.exit(), r.err());
        assertSameReply(c.get("output"), JSON.readTree(r.out()));
    }

    @Test
    void fileLinesGetOneResultEachAndABadLineAnErrorRecord(@TempDir Path dir) throws Exception {
        JsonNode a = fixtureCase("qa-0-0"), b = fixtureCase("qa-1-8");
        Path f = dir.resolve("questions.jsonl");
        Files.writeString(f, JSON.writeValueAsString(a.get("input")) + "\n\n{\"question\": \"Where?\"}\nnot json\n"
                + JSON.writeValueAsString(b.get("input")) + "\n{\"question\": \"\", \"context\": \"x\"}\n"
                + "{\"question\": \"Where?\", \"context\": \"Paris\"} trailing\n{\"question\": \" \", \"context\": \"Paris\"}\n"
                + "{\"question\": \"Where?\", \"context\": \"\\t \"}\n", StandardCharsets.UTF_8);
        var r = CliRunner.run("answer", "-m", QA.toString(), "--json", "--file", f.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode out = JSON.readTree(r.out());
        assertEquals(9, out.size(), r.out());
        assertSameReply(a.get("output"), out.get(0));
        assertEquals("{\"line\":2,\"error\":\"empty line\"}", out.get(1).toString());
        assertTrue(out.get(2).toString().startsWith("{\"line\":3,\"error\":\"no \\\"context\\\""), out.get(2).toString());
        assertTrue(out.get(3).toString().startsWith("{\"line\":4,\"error\":\"not JSON"), out.get(3).toString());
        assertSameReply(b.get("output"), out.get(4));
        assertTrue(out.get(5).toString().startsWith("{\"line\":6,\"error\":\"the question is empty"), out.get(5).toString());
        // garbage after the object is a malformed line, not an answer
        assertTrue(out.get(6).toString().startsWith("{\"line\":7,\"error\":\"not JSON"), out.get(6).toString());
        // whitespace only is empty
        assertTrue(out.get(7).toString().startsWith("{\"line\":8,\"error\":\"the question is empty"), out.get(7).toString());
        assertTrue(out.get(8).toString().startsWith("{\"line\":9,\"error\":\"the context is empty"), out.get(8).toString());
        assertTrue(r.err().contains("warning: 7 of 9 lines have an error instead of an answer (line 2: empty line, …)"), r.err());
    }

    @Test
    void aLongFileShowsProgressAndEveryLineGetsItsAnswer(@TempDir Path dir) throws Exception {
        JsonNode a = fixtureCase("qa-0-0");
        Path f = dir.resolve("questions.jsonl");
        Files.writeString(f, (JSON.writeValueAsString(a.get("input")) + "\n").repeat(PerLine.CHUNK + 6), StandardCharsets.UTF_8);
        System.setProperty("mlm4j.progress", "lines");   // stderr is no terminal here: plain progress lines
        CliRunner.Result r;
        try {
            r = CliRunner.run("answer", "-m", QA.toString(), "--json", "--file", f.toString());
        } finally {
            System.clearProperty("mlm4j.progress");
        }
        assertEquals(0, r.exit(), r.err());
        JsonNode out = JSON.readTree(r.out());
        assertEquals(PerLine.CHUNK + 6, out.size());
        for (JsonNode o : out) assertSameReply(a.get("output"), o);
        assertTrue(r.err().contains("answering questions.jsonl: " + (PerLine.CHUNK + 6)), "progress on stderr: " + r.err());
    }

    @Test
    void standardInputAsFile() throws Exception {
        JsonNode a = fixtureCase("qa-0-0");
        var r = CliRunner.runWithStdin((JSON.writeValueAsString(a.get("input")) + "\n").getBytes(StandardCharsets.UTF_8),
                "answer", "-m", QA.toString(), "--json", "--file", "-");
        assertEquals(0, r.exit(), r.err());
        assertSameReply(a.get("output"), JSON.readTree(r.out()));   // one line: HF's reply alone
        r = CliRunner.runWithStdin((JSON.writeValueAsString(a.get("input")) + "\n").getBytes(StandardCharsets.UTF_8),
                "answer", "-m", QA.toString(), "--file", "-");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("line 1: {") && r.out().contains("\n  0.1036   172..187  tower from 1887\n"), r.out());
    }

    @Test
    void plainOutputListsScoreSpanAndAnswer() {
        var r = CliRunner.run("answer", "-m", QA.toString(), "-q", "What?", "-c", "Yes.", "--top-k", "4", "--handle-impossible-answer");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().lines().allMatch(l -> l.matches("\\d\\.\\d{4} +\\d+\\.\\.\\d+ +.+")), r.out());
        assertTrue(r.out().contains("(no answer)"), r.out());
    }

    @Test
    void badInputIsOneCleanLine(@TempDir Path dir) {
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("answer", "-m", QA.toString(), "-q", "Where is Paris?"), "no context");
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("answer", "-m", QA.toString(), "-q", "Where is Paris?", "-c", ""), "the context is empty");
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("answer", "-m", QA.toString(), "-q", "", "-c", "Paris."), "the question is empty");
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("answer", "-m", QA.toString(), "-q", "Where is Paris?", "-c", "   "), "the context is empty");
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("answer", "-m", QA.toString(), "-q", " \n", "-c", "Paris."), "the question is empty");
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("answer", "-m", QA.toString(), "-q", "Where?", "-c", "Paris.", "--top-k", "0"),
                "top_k should be >= 1 (got 0)");
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("answer", "-m", QA.toString(), "-q", "Where?", "-c", "Paris.", "--max-answer-len", "0"),
                "max_answer_len should be >= 1 (got 0)");
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("answer", "-m", NerCommandTest.TASKS.resolve("sentiment").toString(), "-q", "Where?", "-c", "Paris."),
                "not a question-answering model");
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("answer", "-q", "Where?", "-c", "Paris."), "--model");
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("answer", "-m", QA.toString(), "--file", dir.resolve("none.jsonl").toString()), "no such file");
    }

    @Test
    void aFileWithNoUsableLineFails(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("q.jsonl");
        Files.writeString(f, "\n[1]\n");
        FillMaskCommandTest.assertCleanFailure(CliRunner.run("answer", "-m", QA.toString(), "--file", f.toString()), "no line of");
    }

    @Test
    void helpExplains() {
        var r = CliRunner.run("answer", "--help");
        assertEquals(0, r.exit(), r.err());
        for (String s : new String[]{"--question", "--context-file", "--top-k", "--max-answer-len", "--doc-stride", "--max-seq-len",
                "--handle-impossible-answer", "--json", "--file", "BertForQuestionAnswering", "JSON Lines"}) {
            assertTrue(r.out().contains(s), s + " in: " + r.out());
        }
        // a duplicated answer's scores are summed (transformers 4.x): the help must say a score can exceed 1
        assertTrue(r.out().replaceAll("\\s+", " ").contains("the sum of their scores (as transformers 4.x), so a score can exceed 1"), r.out());
        assertTrue(CliRunner.run("--help").out().contains("answer"));
    }
}
