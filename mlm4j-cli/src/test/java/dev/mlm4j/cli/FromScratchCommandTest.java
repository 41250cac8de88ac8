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
    void mlmAndClmFromScratchLearnAndOnlyTheMaskedLmFillsMasks() throws IOException {
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
            if (task.equals("mlm")) {
                assertEquals(0, f.exit(), f.err());
                assertFalse(f.out().isBlank());
            } else {   // a causal LM says so in config.json (transformers loads it as BertLMHeadModel) and does not fill masks
                assertEquals("BertLMHeadModel", config.get("architectures").get(0).asText());
                assertTrue(config.get("is_decoder").asBoolean());
                assertEquals(1, f.exit());
                assertTrue(f.err().strip().endsWith("it predicts the next token from the left, not a masked one, so it cannot fill masks"), f.err());
                assertEquals(1, f.err().strip().lines().count(), f.err());
            }
        }
    }

    /** The float32 tensor {@code name} of a model.safetensors (8-byte header length, JSON header, data). */
    private static float[] tensor(Path file, String name) throws IOException {
        byte[] b = Files.readAllBytes(file);
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int n = (int) bb.getLong(0);
        JsonNode off = new ObjectMapper().readTree(new String(b, 8, n, java.nio.charset.StandardCharsets.UTF_8)).get(name).get("data_offsets");
        float[] out = new float[(off.get(1).asInt() - off.get(0).asInt()) / 4];
        for (int i = 0; i < out.length; i++) out[i] = bb.getFloat(8 + n + off.get(0).asInt() + 4 * i);
        return out;
    }

    @Test
    void withoutPositionEmbeddingsTheTableStaysZero() throws IOException {
        Path v = vocab(), out = tmp.resolve("nopos");
        var r = CliRunner.run("train", "mlm", "--from-scratch", "--no-position-embeddings", "--config", "tiny", "--vocab", v.toString(),
                "--train", CORPUS, "--output", out.toString(), "--max-steps", "5", "--lr", "3e-3", "--batch-tokens", "512");
        assertEquals(0, r.exit(), r.err());
        assertEquals("none", new ObjectMapper().readTree(out.resolve("config.json").toFile()).get("mlm4j_position_embeddings").asText());
        for (float x : tensor(out.resolve("model.safetensors"), "bert.embeddings.position_embeddings.weight")) assertEquals(0f, x);
        float[] words = tensor(out.resolve("model.safetensors"), "bert.embeddings.word_embeddings.weight");
        assertTrue(java.util.stream.IntStream.range(0, words.length).anyMatch(i -> words[i] != 0f), "the rest is trained");
        Path with = tmp.resolve("pos");
        assertEquals(0, CliRunner.run("train", "mlm", "--from-scratch", "--config", "tiny", "--vocab", v.toString(), "--train", CORPUS,
                "--output", with.toString(), "--max-steps", "1").exit());
        float[] table = tensor(with.resolve("model.safetensors"), "bert.embeddings.position_embeddings.weight");
        double sd = Math.sqrt(java.util.stream.IntStream.range(0, table.length).mapToDouble(i -> table[i] * table[i]).sum() / table.length);
        assertEquals(0.02, sd, 0.002, "with positions: drawn from N(0, 0.02²)");
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

    /** An empty or blank file made a vocabulary of the special tokens alone, on which training saw only [UNK]. */
    @Test
    void vocabOfNoTextIsRefused() throws IOException {
        for (String text : new String[] {"", " \n\t\n"}) {
            Path file = Files.writeString(tmp.resolve("blank.txt"), text), out = tmp.resolve("v.txt");
            var r = CliRunner.run("vocab", "--train", file.toString(), "--size", "100", "--output", out.toString());
            assertEquals(1, r.exit(), r.err());
            assertEquals("mlm4j: no text in " + file, r.err().strip());
            assertFalse(Files.exists(out));
        }
    }
}
