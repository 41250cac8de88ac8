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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pre-training from scratch end to end on docs/examples/training/pretrain.txt (300 template sentences): ./mlm4j vocab
 * trains a vocabulary, ./mlm4j train mlm|clm --from-scratch trains a tiny random BERT on it, the loss falls, and
 * the folder answers ./mlm4j fill-mask.
 */
class FromScratchCommandTest {
    private static final String CORPUS = Path.of("..", "docs", "examples", "training", "pretrain.txt").toAbsolutePath().normalize().toString();
    @TempDir Path tmp;

    private Path vocab() {
        Path v = tmp.resolve("vocab.txt");
        var r = CliRunner.run("vocab", "--train", CORPUS, "--size", "120", "--output", v.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("120 tokens"), r.out());
        return v;
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    /** Mean loss of the first and last five steps of the run's training_log.jsonl. */
    private static double[] firstAndLast(Path out) throws IOException {
        List<Double> losses = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(out.resolve("training_log.jsonl"))) {
            JsonNode n = json.readTree(line);
            if (n.has("loss")) losses.add(n.get("loss").asDouble());
        }
        return new double[] {mean(losses.subList(0, 5)), mean(losses.subList(losses.size() - 5, losses.size()))};
    }

    @Test
    void mlmAndClmFromScratchLearnAndTheFolderFillsMasks() throws IOException {
        Path v = vocab();
        for (String task : List.of("mlm", "clm")) {
            Path out = tmp.resolve(task);
            var r = CliRunner.run("train", task, "--from-scratch", "--config", "tiny", "--vocab", v.toString(), "--train", CORPUS,
                    "--output", out.toString(), "--max-steps", "40", "--lr", "3e-3", "--batch-tokens", "512", "--seed", "7");
            assertEquals(0, r.exit(), r.err());
            double[] fl = firstAndLast(out);
            assertTrue(fl[1] < fl[0] - 0.5, task + ": loss should fall, first five " + fl[0] + ", last five " + fl[1]);
            JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
            assertEquals(32, config.get("hidden_size").asInt());
            assertEquals(120, config.get("vocab_size").asInt());
            assertEquals(Files.readAllLines(v), Files.readAllLines(out.resolve("vocab.txt")));
            var f = CliRunner.run("fill-mask", "--model", out.toString(), "the cat sat on the [MASK].");
            assertEquals(0, f.exit(), f.err());
            assertFalse(f.out().isBlank());
        }
    }

    @Test
    void theSameSeedGivesTheSameRun() throws IOException {
        Path v = vocab();
        List<List<String>> logs = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            var r = CliRunner.run("train", "mlm", "--from-scratch", "--config", "tiny", "--vocab", v.toString(), "--train", CORPUS,
                    "--output", tmp.resolve(name).toString(), "--max-steps", "3", "--batch-tokens", "256");
            assertEquals(0, r.exit(), r.err());
            logs.add(Files.readAllLines(tmp.resolve(name).resolve("training_log.jsonl")).stream()
                    .map(l -> l.replaceAll("\"tokens_per_second\":[^,}]*", "")).toList());
        }
        assertEquals(logs.get(0), logs.get(1));
    }

    @Test
    void badFromScratchOptionsAreOneLine() throws IOException {
        Path v = vocab();
        String[][] bad = {
                {"train", "classify", "--from-scratch", "--config", "tiny", "--vocab", v.toString(), "--train", CORPUS, "--output", tmp.resolve("x").toString()},
                {"train", "mlm", "--from-scratch", "--config", "tiny", "--train", CORPUS, "--output", tmp.resolve("x").toString()},
                {"train", "mlm", "--from-scratch", "--config", "huge", "--vocab", v.toString(), "--train", CORPUS, "--output", tmp.resolve("x").toString()},
                {"train", "mlm", "--config", "tiny", "--vocab", v.toString(), "--train", CORPUS, "--output", tmp.resolve("x").toString()},
                {"vocab", "--train", CORPUS, "--size", "3", "--output", tmp.resolve("v3.txt").toString()},
        };
        for (String[] args : bad) {
            var r = CliRunner.run(args);
            assertEquals(1, r.exit(), String.join(" ", args) + "\n" + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(Files.exists(tmp.resolve("x")));
        }
    }
}
