package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ./mlm4j train on the tiny BERTs of mlm4j-core's training/ fixtures (vocabulary w5 … w99): each task runs, --json
 * summarises, the classifier it writes answers ./mlm4j classify, and bad input is one line with a non-zero exit.
 */
class TrainCommandTest {
    @TempDir Path tmp;

    private static String fixture(String name) {
        return Path.of("..", "mlm4j-core", "src", "test", "resources", "training", name).toAbsolutePath().normalize().toString();
    }

    private static List<String> sentences(int n, long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0, len = 3 + r.nextInt(8); w < len; w++) sb.append(w == 0 ? "" : " ").append("w").append(5 + r.nextInt(95));
            out.add(sb.toString());
        }
        return out;
    }

    private Path jsonl(String name, int n) throws IOException {
        List<String> lines = new ArrayList<>(), s = sentences(n, name.hashCode());
        for (int i = 0; i < n; i++) lines.add("{\"text\":\"" + s.get(i) + "\",\"label\":\"" + "abc".charAt(i % 3) + "\"}");
        return Files.write(tmp.resolve(name), lines);
    }

    @Test
    void classifyTrainsAndTheFolderClassifies() throws IOException {
        Path train = jsonl("train.jsonl", 24), dev = jsonl("dev.jsonl", 6), out = tmp.resolve("out");
        var r = CliRunner.run("train", "classify", "--model", fixture("tiny-bert-classify"), "--train", train.toString(), "--eval", dev.toString(),
                "--output", out.toString(), "--epochs", "2", "--lr", "1e-3", "--batch-tokens", "64", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode s = new ObjectMapper().readTree(r.out());
        assertEquals("classify", s.get("task").asText());
        assertEquals(s.get("total_steps").asInt(), s.get("steps").asInt());
        assertTrue(s.get("eval").has("eval_accuracy"), r.out());
        assertTrue(r.err().contains("evaluation after epoch 2"), r.err());
        var c = CliRunner.run("classify", "--model", out.toString(), "--json", "w5 w6 w7");
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.out().contains("\"label\""), c.out());
    }

    @Test
    void mlmClmTagAndPairsRun() throws IOException {
        Path text = Files.write(tmp.resolve("text.txt"), sentences(20, 1));
        var mlm = CliRunner.run("train", "mlm", "--model", fixture("tiny-bert-mlm"), "--train", text.toString(), "--eval", text.toString(),
                "--output", tmp.resolve("mlm").toString(), "--max-steps", "3", "--batch-tokens", "64", "--whole-word");
        assertEquals(0, mlm.exit(), mlm.err());
        assertTrue(mlm.out().startsWith("trained 3 of 3 steps (mlm)"), mlm.out());
        assertTrue(mlm.out().contains("perplexity"), mlm.out());
        var clm = CliRunner.run("train", "clm", "--model", fixture("tiny-bert-mlm"), "--train", text.toString(), "--output", tmp.resolve("clm").toString(),
                "--max-steps", "2", "--blocks", "--grad-accum", "2", "--batch-tokens", "40");
        assertEquals(0, clm.exit(), clm.err());
        List<String> conll = new ArrayList<>();
        for (String sentence : sentences(6, 2)) {
            for (String w : sentence.split(" ")) conll.add(w + "\tT" + (w.length() % 5));
            conll.add("");
        }
        Path tags = Files.write(tmp.resolve("tags.conll"), conll);
        var tag = CliRunner.run("train", "tag", "--model", fixture("tiny-bert-tag"), "--train", tags.toString(), "--output", tmp.resolve("tag").toString(), "--epochs", "1");
        assertEquals(0, tag.exit(), tag.err());
        Path pairs = Files.write(tmp.resolve("pairs.jsonl"), List.of("{\"text\":\"w5 w6\",\"text_pair\":\"w7 w8\",\"label\":\"a\"}",
                "{\"text\":\"w9\",\"text_pair\":\"w10 w11\",\"label\":\"b\"}"));
        var pair = CliRunner.run("train", "pairs", "--model", fixture("tiny-bert-classify"), "--train", pairs.toString(), "--output", tmp.resolve("pairs").toString(), "--epochs", "1");
        assertEquals(0, pair.exit(), pair.err());
    }

    @Test
    void resumeContinuesAFinishedRunsFolder() throws IOException {
        Path text = Files.write(tmp.resolve("text.txt"), sentences(20, 3)), out = tmp.resolve("out");
        var first = CliRunner.run("train", "mlm", "--model", fixture("tiny-bert-mlm"), "--train", text.toString(), "--output", out.toString(), "--max-steps", "2");
        assertEquals(0, first.exit(), first.err());
        var again = CliRunner.run("train", "mlm", "--model", fixture("tiny-bert-mlm"), "--train", text.toString(), "--output", out.toString());
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("--resume"), again.err());
        var resumed = CliRunner.run("train", "mlm", "--train", text.toString(), "--output", out.toString(), "--resume", out.toString(), "--json");
        assertEquals(0, resumed.exit(), resumed.err());
        assertEquals(2, new ObjectMapper().readTree(resumed.out()).get("steps").asInt(), "the saved run had finished its 2 steps");
    }

    @Test
    void badInputIsOneLineAndNonZero() throws IOException {
        Path empty = Files.writeString(tmp.resolve("empty.txt"), "\n\n");
        Path unknown = Files.write(tmp.resolve("u.jsonl"), List.of("{\"text\":\"w5\",\"label\":\"a\"}", "{\"text\":\"w6\",\"label\":\"zebra\"}"));
        String[][] cases = {
                {"train", "mlm", "--model", fixture("tiny-bert-mlm"), "--train", empty.toString(), "--output", tmp.resolve("a").toString()},
                {"train", "classify", "--model", fixture("tiny-bert-classify"), "--train", unknown.toString(), "--output", tmp.resolve("b").toString()},
                {"train", "summarise", "--model", fixture("tiny-bert-mlm"), "--train", empty.toString(), "--output", tmp.resolve("c").toString()},
                {"train", "mlm", "--model", fixture("tiny-bert-mlm"), "--train", tmp.resolve("missing.txt").toString(), "--output", tmp.resolve("d").toString()},
                {"train", "mlm", "--model", Files.createDirectories(tmp.resolve("no-model")).toString(), "--train", Files.write(tmp.resolve("t.txt"), List.of("w5 w6")).toString(), "--output", tmp.resolve("e").toString()},
        };
        String[] expected = {"has no examples", "unknown label 'zebra' on line 2", "unknown training task 'summarise'", "no such file", "is not a model folder"};
        for (int i = 0; i < cases.length; i++) {
            var r = CliRunner.run(cases[i]);
            assertEquals(1, r.exit(), r.err());
            assertTrue(r.err().startsWith("mlm4j: ") && r.err().contains(expected[i]), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        }
    }
}
