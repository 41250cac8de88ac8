package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.mlm4j.cli.FillMaskCommandTest.assertCleanFailure;
import static org.junit.jupiter.api.Assertions.*;

/** ./mlm4j eval on a tiny Brown slice with the real bert-base-uncased, and one clean line for every bad input. */
class EvalCommandTest {

    /** The slice kept with the eval module's test resources (three files in each of three genres). */
    static Path slice;

    @BeforeAll
    static void findSlice() {
        dev.mlm4j.pipelines.Models.resolve("bert-base-uncased", dev.mlm4j.util.ProgressListener.NONE);  // fetched on a fresh machine
        for (Path p : new Path[] {Path.of("..", "mlm4j-eval"), Path.of("mlm4j-eval")}) {
            Path s = p.resolve("src/test/resources/eval/brown-slice");
            if (Files.isDirectory(s)) slice = s;
        }
        assertNotNull(slice, "the Brown slice under mlm4j-eval/src/test/resources/eval");
    }

    static JsonNode json(Path f) throws Exception {
        return new ObjectMapper().readTree(f.toFile());
    }

    @Test
    void mlmWarnsWhenTheSliceHoldsFewerSentencesThanAsked(@TempDir Path dir) throws Exception {
        Path j = dir.resolve("mlm.json");
        var r = CliRunner.run("eval", "mlm", "--corpus", slice.toString(), "--sentences", "100000", "--min-pieces", "3", "--max-pieces", "6", "--json", j.toString());
        assertEquals(0, r.exit(), r.err());
        int used = json(j).get("protocol").get("sentences").asInt();
        assertTrue(used > 0 && used < 100000, "sentences " + used);
        assertTrue(r.err().contains("mlm4j: warning: --sentences 100000 is more than the held-out files hold: all " + used
                + " sentences of "), r.err());
        var asked = CliRunner.run("eval", "mlm", "--corpus", slice.toString(), "--sentences", "2", "--min-pieces", "3", "--max-pieces", "6");
        assertEquals(0, asked.exit(), asked.err());
        assertFalse(asked.err().contains("warning"), asked.err());
    }

    @Test
    void permuteWarnsWhenTheSliceHoldsFewerSentencesThanAsked(@TempDir Path dir) throws Exception {
        String tiny = Path.of("..", "mlm4j-core", "src", "test", "resources", "fixtures", "hf-tiny-bert").toAbsolutePath().normalize().toString();
        Path j = dir.resolve("permute.json");
        var r = CliRunner.run("eval", "permute", "--corpus", slice.toString(), "--model", tiny, "--sentences", "100000", "--json", j.toString());
        assertEquals(0, r.exit(), r.err());
        int used = json(j).get("sentences").asInt();
        assertTrue(used > 0 && used < 100000, "sentences " + used);
        assertTrue(r.err().contains("mlm4j: warning: --sentences 100000 is more than the held-out files hold: all " + used + " sentences"), r.err());
        var asked = CliRunner.run("eval", "permute", "--corpus", slice.toString(), "--model", tiny, "--sentences", "2");
        assertEquals(0, asked.exit(), asked.err());
        assertFalse(asked.err().contains("warning"), asked.err());
    }

    @Test
    void mlmRunsBothMasksInOneRun(@TempDir Path dir) throws Exception {
        Path j = dir.resolve("mlm.json"), md = dir.resolve("mlm.md");
        var r = CliRunner.run("eval", "mlm", "--corpus", slice.toString(), "--sentences", "4", "--seed", "3",
                "--json", j.toString(), "--markdown", md.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("| bidirectional |") && r.out().contains("| causal |"), r.out());
        assertTrue(r.out().contains("never learnt with that mask"), "the table says the causal mask is not what BERT was trained with");
        assertEquals(r.out(), Files.readString(md), "--markdown holds what was printed");
        JsonNode n = json(j);
        assertEquals(4, n.get("protocol").get("sentences").asInt());
        assertEquals(3, n.get("run").get("seed").asInt());
        assertTrue(n.get("run").get("command").asText().startsWith("./mlm4j eval mlm --corpus "));
        assertEquals(2, n.get("results").size());
        int masks = n.get("protocol").get("masked_pieces").asInt();
        for (JsonNode c : n.get("results")) {
            assertEquals(masks, c.get("overall").get("masks").asInt());
            assertEquals(5, c.get("by_relative_position").size());
            double top1 = c.get("overall").get("top1").asDouble(), top5 = c.get("overall").get("top5").asDouble();
            assertTrue(0 <= top1 && top1 <= top5 && top5 <= 1);
            assertTrue(c.get("overall").get("pseudo_perplexity").asDouble() >= 1);
        }
        // same seed, same numbers
        Path j2 = dir.resolve("again.json");
        assertEquals(0, CliRunner.run("eval", "mlm", "--corpus", slice.toString(), "--sentences", "4", "--seed", "3", "--json", j2.toString()).exit());
        assertEquals(n.get("results").get(0).get("overall"), json(j2).get("results").get(0).get("overall"));
    }

    @Test
    void probeAndGenerateRunEndToEnd(@TempDir Path dir) throws Exception {
        Path j = dir.resolve("probe.json");
        var p = CliRunner.run("eval", "probe", "--corpus", slice.toString(), "--train-sentences", "12", "--test-sentences", "6",
                "--passages-per-file", "1", "--passage-tokens", "48", "--epochs", "3", "--json", j.toString());
        assertEquals(0, p.exit(), p.err());
        assertTrue(p.out().contains("#### Part-of-speech tagging") && p.out().contains("#### Genre classification (Brown, 3 genres)"), p.out());
        JsonNode tasks = json(j).get("tasks");
        assertEquals("pos", tasks.get(0).get("task").asText());
        assertEquals(6, tasks.get(0).get("results").size());
        assertEquals(3, tasks.get(1).get("test_units").asInt(), "one passage from each held-out file");

        var g = CliRunner.run("eval", "generate", "--tokens", "3", "--iterations", "2", "--strategies", "left-to-right,mask-predict",
                "The jury said that");
        assertEquals(0, g.exit(), g.err());
        assertTrue(g.out().contains("| left-to-right | 1.00 |") && g.out().contains("| mask-predict | 0.67 |"), g.out());
        assertTrue(g.out().contains("**The jury said that …**"), g.out());
        Path gj = dir.resolve("generate.json");
        var judged = CliRunner.run("eval", "generate", "--tokens", "3", "--strategies", "masks-ahead", "--judge", "bert-base-uncased",
                "--json", gj.toString(), "The jury said that");
        assertEquals(0, judged.exit(), judged.err());
        assertTrue(judged.out().contains("judge PPPL (bert-base-uncased)") && judged.out().contains("distinct-2"), judged.out());
        JsonNode out = json(gj).get("outputs").get(0);
        assertTrue(out.get("judge_pseudo_perplexity").asDouble() >= 1, out.toString());
        assertTrue(out.has("distinct_2") && out.has("repeated_trigrams"), out.toString());
    }

    @Test
    void badInputGetsOneLineAndNonZeroExit(@TempDir Path dir) throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertCleanFailure(CliRunner.run("eval", "mlm", "--corpus", empty.toString()), "is empty");
        assertCleanFailure(CliRunner.run("eval", "mlm", "--corpus", dir.resolve("missing").toString()), "no such corpus");

        Path broken = Files.createDirectory(dir.resolve("broken"));
        Files.copy(slice.resolve("ca01"), broken.resolve("ca01"));
        Files.createSymbolicLink(broken.resolve("ca02"), dir.resolve("nowhere"));
        assertCleanFailure(CliRunner.run("eval", "mlm", "--corpus", broken.toString()), "cannot read");

        Path prose = Files.createDirectory(dir.resolve("prose"));
        Files.writeString(prose.resolve("cb07"), "Plain text where tagged words were expected.\n");
        assertCleanFailure(CliRunner.run("eval", "probe", "--corpus", prose.toString()), "is not word/tag");

        Path json = Files.createDirectory(dir.resolve("json"));
        Files.writeString(json.resolve("doc-0.json"), "[\"One sentence.\", \"Another one here.\"]");
        Files.writeString(json.resolve("doc-1.json"), "[\"A third sentence.\"]");
        assertCleanFailure(CliRunner.run("eval", "probe", "--corpus", json.toString()), "need the tagged Brown Corpus");

        assertCleanFailure(CliRunner.run("eval", "mlm", "--corpus", slice.toString(), "--json", dir.resolve("no/such/dir/x.json").toString()), "no such folder");
        assertCleanFailure(CliRunner.run("eval", "mlm", "--corpus", slice.toString(), "--conditions", "sideways"), "unknown condition 'sideways'");
        assertCleanFailure(CliRunner.run("eval", "mlm", "--corpus", slice.toString(), "--mask-rate", "0"), "mask rate");
        assertCleanFailure(CliRunner.run("eval", "probe", "--corpus", slice.toString(), "--task", "ner"), "--task must be pos, genre or all");
        assertCleanFailure(CliRunner.run("eval", "generate", "--strategies", "backwards", "x"), "unknown strategy");
        assertCleanFailure(CliRunner.run("eval", "mlm"), "Missing required option: '--corpus=PATH'");

        // each model as it was trained: the tiny causal LM of mlm4j-eval's NextTokenTest (config.json "is_decoder": true)
        String decoder = slice.resolveSibling("tiny-bert-lm-head").toString();
        assertCleanFailure(CliRunner.run("eval", "mlm", "--model", decoder, "--corpus", slice.toString(), "--conditions", "bidirectional,left-only"),
                "condition bidirectional needs a masked LM; " + decoder + " is a causal LM");
        assertCleanFailure(CliRunner.run("eval", "mlm", "--corpus", slice.toString(), "--conditions", "next-token"),
                "condition next-token needs a causal LM (config.json \"is_decoder\": true); bert-base-uncased is a masked LM");
        assertCleanFailure(CliRunner.run("eval", "generate", "--model", decoder, "--strategies", "mask-predict", "x"),
                "strategy mask-predict fills [MASK]s, which " + decoder + " (a causal LM");
        assertCleanFailure(CliRunner.run("eval", "generate", "--strategies", "causal-lm", "x"), "strategy causal-lm needs a causal LM");
        assertCleanFailure(CliRunner.run("eval", "generate", "--judge", decoder, "x"), "the judge " + decoder + " is a causal LM");
        assertCleanFailure(CliRunner.run("eval", "generate", "--prompts", "3", "x"), "--prompts draws prompts from a corpus: give --corpus PATH too");
    }

    /** eval split writes its folder whole or not at all: a failure leaves no hidden staging folder beside the target. */
    @Test
    void splitThatCannotBeWrittenLeavesNothingBehind(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("taken"), "a file, not a folder\n");
        assertCleanFailure(CliRunner.run("eval", "split", "--corpus", slice.toString(), "--output", file.toString()), "taken");
        assertEquals("a file, not a folder\n", Files.readString(file));
        try (var left = Files.list(dir)) {
            assertEquals(List.of(file), left.toList(), "the failed split left a staging folder behind");
        }
        assertCleanFailure(CliRunner.run("eval", "split", "--corpus", slice.toString(), "--output", dir.resolve("no/such/out").toString()),
                "no such folder");
        try (var left = Files.list(dir)) {
            assertEquals(List.of(file), left.toList(), "the failed splits left files behind");
        }
        assertEquals(0, CliRunner.run("eval", "split", "--corpus", slice.toString(), "--output", dir.resolve("out").toString()).exit());
        assertTrue(Files.isRegularFile(dir.resolve("out/split.json")));
    }
}
