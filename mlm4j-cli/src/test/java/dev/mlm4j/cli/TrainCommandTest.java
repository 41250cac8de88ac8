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
        Path elsewhere = tmp.resolve("elsewhere");
        var resumed = CliRunner.run("train", "mlm", "--train", text.toString(), "--output", elsewhere.toString(), "--resume", out.toString(), "--json");
        assertEquals(1, resumed.exit(), resumed.err());
        assertEquals("mlm4j: the run in " + out + " already finished all 2 steps; to train its model further, start a new run with --model " + out,
                resumed.err().strip());
        assertEquals("", resumed.out());
        assertFalse(Files.exists(elsewhere), "a finished run's resume writes nothing");
    }

    /** A run of {@code steps} mlm steps on {@code text} into {@code out}, stopped (as by Ctrl-C) after {@code stopAfter}. */
    private static void stoppedRun(Path text, Path out, int steps, int stopAfter) {
        int[] done = {0};
        var s = dev.mlm4j.pipelines.Training.run("mlm", fixture("tiny-bert-mlm"), text, null, out, null,
                new dev.mlm4j.pipelines.Training.Options(3, 5e-5, 64, 42, steps, 0, 0, 1, false, true, false, 1.0, "off"),
                new dev.mlm4j.pipelines.Training.Listener() {
                    @Override
                    public void step(java.util.Map<String, Object> entry, int total) {
                        done[0]++;
                    }
                }, () -> done[0] >= stopAfter, null);
        assertTrue(s.interrupted());
    }

    /**
     * --resume writes the run's files into --output: another non-empty folder is refused as a new run's is (it kept a mix
     * of two models), while the resumed folder itself, named by its checkpoint/ or not, takes them.
     */
    @Test
    void resumeRefusesAnotherNonEmptyOutput() throws IOException {
        Path text = Files.write(tmp.resolve("text.txt"), sentences(20, 3)), run = tmp.resolve("run"), other = tmp.resolve("other");
        stoppedRun(text, run, 3, 1);
        Files.createDirectories(other);
        Files.writeString(other.resolve("notes.txt"), "mine");
        var r = CliRunner.run("train", "mlm", "--train", text.toString(), "--resume", run.toString(), "--output", other.toString());
        assertEquals(1, r.exit(), r.err());
        assertEquals("mlm4j: output folder " + other + " exists and is not empty (--resume " + other + " continues a run there)", r.err().strip());
        try (var files = Files.list(other)) {
            assertEquals(List.of(other.resolve("notes.txt")), files.toList());
        }
        var resumed = CliRunner.run("train", "mlm", "--train", text.toString(), "--resume", run.resolve("checkpoint").toString(), "--output", run.toString(), "--json");
        assertEquals(0, resumed.exit(), resumed.err());
        assertEquals(3, new ObjectMapper().readTree(resumed.out()).get("steps").asInt());
    }

    /**
     * The checkpoint fixes the model, the hyper-parameters and the data: typing one again with --resume was silently
     * dropped, and another --train file continued to meaningless epochs; both are refused in one line.
     */
    @Test
    void resumeRefusesOptionsAndDataTheCheckpointFixes() throws IOException {
        Path text = Files.write(tmp.resolve("text.txt"), sentences(20, 3)), run = tmp.resolve("run");
        stoppedRun(text, run, 3, 1);
        var r = CliRunner.run("train", "mlm", "--train", text.toString(), "--resume", run.toString(), "--output", run.toString(),
                "--lr", "5", "--max-steps", "10");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().startsWith("mlm4j: --resume continues with the model and options the run started with; drop --lr, --max-steps ("), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        var m = CliRunner.run("train", "mlm", "--train", text.toString(), "--resume", run.toString(), "--output", run.toString(), "--model", fixture("tiny-bert-mlm"));
        assertEquals(1, m.exit(), m.err());
        assertTrue(m.err().contains("drop --model ("), m.err());
        Path other = Files.write(tmp.resolve("other.txt"), sentences(2, 4));
        var d = CliRunner.run("train", "mlm", "--train", other.toString(), "--resume", run.toString(), "--output", run.toString());
        assertEquals(1, d.exit(), d.err());
        assertTrue(d.err().startsWith("mlm4j: --train " + other + " is not the data the run in ") && d.err().contains("resume with the same file"), d.err());
        assertEquals(1, d.err().strip().lines().count(), d.err());
        // the same bytes under another name are the same data
        Path copy = Files.copy(text, tmp.resolve("copy.txt"));
        var ok = CliRunner.run("train", "mlm", "--train", copy.toString(), "--resume", run.toString(), "--output", run.toString(), "--json");
        assertEquals(0, ok.exit(), ok.err());
        assertEquals(3, new ObjectMapper().readTree(ok.out()).get("steps").asInt());
    }

    /**
     * The evaluation at the end of a --max-steps run that stops inside an epoch is labelled with the epoch the last step
     * reached, fractional as the step lines are (it said "epoch 1" at epoch 1.33), and no step is evaluated twice.
     */
    @Test
    void theLastEvaluationOfAMaxStepsRunHasTheStepsFractionalEpoch() throws IOException {
        Path text = Files.write(tmp.resolve("text.txt"), sentences(20, 1)), out = tmp.resolve("mlm");
        var r = CliRunner.run("train", "mlm", "--model", fixture("tiny-bert-mlm"), "--train", text.toString(), "--eval", text.toString(),
                "--output", out.toString(), "--max-steps", "7", "--batch-tokens", "64");
        assertEquals(0, r.exit(), r.err());
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> steps = new ArrayList<>(), evals = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("training_log.jsonl"))) {
            JsonNode n = json.readTree(line);
            (n.has("eval_loss") ? evals : steps).add(n);
        }
        double last = steps.getLast().get("epoch").asDouble();
        assertTrue(last != Math.rint(last), "the run should stop inside an epoch: " + last);
        assertEquals(last, evals.getLast().get("epoch").asDouble(), 0.0);
        assertEquals(evals.size(), evals.stream().map(e -> e.get("step").asInt()).distinct().count(), evals.toString());
        assertTrue(r.err().contains(String.format(java.util.Locale.ROOT, "evaluation after epoch %.2f:", last)), r.err());
    }

    /** JSON Lines with each line's label written by {@code label.apply(i)}. */
    private Path labelled(String name, int n, java.util.function.IntFunction<String> label) throws IOException {
        List<String> lines = new ArrayList<>(), s = sentences(n, name.hashCode());
        for (int i = 0; i < n; i++) lines.add("{\"text\":\"" + s.get(i) + "\",\"label\":" + label.apply(i) + "}");
        return Files.write(tmp.resolve(name), lines);
    }

    private static JsonNode lastLine(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return new ObjectMapper().readTree(lines.getLast());
    }

    /**
     * run_classification's conventions: a float label trains a regression (one output), a list of names a multi-label
     * classifier (the names sorted, multi-hot targets); a new head on an encoder says so in config.json's problem_type,
     * and the evaluation reports MSE and Pearson's r, or micro-F1 and exact match.
     */
    @Test
    void regressionAndMultiLabelTrainANewHeadAndSayWhatItIs() throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path train = labelled("reg.jsonl", 16, i -> String.valueOf(i % 4 * 0.5 - 0.25)), dev = labelled("reg-dev.jsonl", 5, i -> i + ".5"), out = tmp.resolve("reg");
        var r = CliRunner.run("train", "classify", "--model", fixture("tiny-bert-mlm"), "--train", train.toString(), "--eval", dev.toString(),
                "--output", out.toString(), "--epochs", "2", "--lr", "1e-3", "--batch-tokens", "64", "--json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("(regression)") && r.err().contains("evaluation after epoch 2: loss"), r.err());
        JsonNode config = json.readTree(out.resolve("config.json").toFile());
        assertEquals("regression", config.get("problem_type").asText());
        assertEquals("{\"0\":\"LABEL_0\"}", config.get("id2label").toString());
        JsonNode eval = lastLine(out.resolve("training_log.jsonl"));
        assertEquals(eval.get("eval_loss").asDouble(), eval.get("eval_mse").asDouble(), 0);
        assertTrue(eval.has("eval_pearson") && eval.get("eval_rows").asInt() == 5 && !eval.has("eval_accuracy"), eval.toString());
        var c = CliRunner.run("classify", "--model", out.toString(), "--json", "w5 w6 w7");
        assertEquals(0, c.exit(), c.err());

        String[] names = {"[\"sports\"]", "[\"arts\",\"sports\"]", "[]", "[\"news\"]"};
        Path multi = labelled("multi.jsonl", 16, i -> names[i % 4]), multiDev = labelled("multi-dev.jsonl", 4, i -> names[(i + 1) % 4]);
        out = tmp.resolve("multi");
        r = CliRunner.run("train", "classify", "--model", fixture("tiny-bert-mlm"), "--train", multi.toString(), "--eval", multiDev.toString(),
                "--output", out.toString(), "--max-steps", "3", "--lr", "1e-3", "--batch-tokens", "64");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("micro_f1") && r.out().contains("exact_match"), r.out());
        config = json.readTree(out.resolve("config.json").toFile());
        assertEquals("multi_label_classification", config.get("problem_type").asText());
        assertEquals("{\"0\":\"arts\",\"1\":\"news\",\"2\":\"sports\"}", config.get("id2label").toString());
        eval = lastLine(out.resolve("training_log.jsonl"));
        assertTrue(eval.has("eval_micro_f1") && eval.has("eval_exact_match") && eval.get("eval_rows").asInt() == 4, eval.toString());
        c = CliRunner.run("classify", "--model", out.toString(), "--json", "w5 w6 w7");
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.out().contains("sports"), c.out());
    }

    /**
     * A head whose config.json has problem_type trains under it: three regression outputs from lists of three numbers,
     * and a multi-label head with placeholder names takes the file's names (tiny-bert-regression3, tiny-bert-multilabel).
     */
    @Test
    void aHeadsProblemTypeDecidesItsTargets() throws IOException {
        Path three = labelled("three.jsonl", 6, i -> "[" + i + ", -1.5, 0.25]"), out = tmp.resolve("three");
        var r = CliRunner.run("train", "classify", "--model", fixture("tiny-bert-regression3"), "--train", three.toString(), "--eval", three.toString(),
                "--output", out.toString(), "--max-steps", "2", "--json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(new ObjectMapper().readTree(r.out()).get("eval").has("eval_pearson"), r.out());
        Path four = labelled("four.jsonl", 8, i -> "[\"" + "abcd".charAt(i % 4) + "\"]");
        out = tmp.resolve("four");
        r = CliRunner.run("train", "classify", "--model", fixture("tiny-bert-multilabel"), "--train", four.toString(), "--output", out.toString(), "--max-steps", "1");
        assertEquals(0, r.exit(), r.err());
        JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertEquals("multi_label_classification", config.get("problem_type").asText());
        assertEquals("{\"0\":\"a\",\"1\":\"b\",\"2\":\"c\",\"3\":\"d\"}", config.get("id2label").toString());
    }

    @Test
    void badLabelsAreOneLineNamingFileAndLine() throws IOException {
        Path mixed = labelled("mixed.jsonl", 3, i -> i == 0 ? "\"a\"" : "0.5");
        Path nan = labelled("nan.jsonl", 3, i -> i == 2 ? "NaN" : "0.5");
        Path multi = labelled("m.jsonl", 4, i -> "[\"" + "abcd".charAt(i) + "\"]"), unknown = labelled("m-dev.jsonl", 2, i -> i == 1 ? "[\"a\",\"zebra\"]" : "[\"b\"]");
        Path lists = labelled("lists.jsonl", 3, i -> i == 1 ? "[\"x\"]" : "[1.5, 2]");
        Path floats = labelled("floats.jsonl", 2, i -> "1.5");
        String model = fixture("tiny-bert-mlm");
        String[][] cases = {
                {"train", "classify", "--model", model, "--train", mixed.toString(), "--output", tmp.resolve("a").toString()},
                {"train", "classify", "--model", model, "--train", nan.toString(), "--output", tmp.resolve("b").toString()},
                {"train", "classify", "--model", fixture("tiny-bert-multilabel"), "--train", multi.toString(), "--eval", unknown.toString(), "--output", tmp.resolve("c").toString()},
                {"train", "classify", "--model", model, "--train", lists.toString(), "--output", tmp.resolve("d").toString()},
                {"train", "classify", "--model", fixture("tiny-bert-multilabel"), "--train", floats.toString(), "--output", tmp.resolve("e").toString()},
                {"train", "classify", "--model", fixture("tiny-bert-classify"), "--train", floats.toString(), "--output", tmp.resolve("f").toString()},
        };
        String[] expected = {
                "line 2 of " + mixed + ": \"label\" is a number but line 1's is a name",
                "line 3 of " + nan + ": label NaN is not a finite number",
                "unknown label 'zebra' on line 2 of " + unknown,
                "line 2 of " + lists + ": \"label\" is a list of names but line 1's is a list of numbers",
                "line 1 of " + floats + ": \"label\" is a number but the model is for multi_label_classification",
                // no problem_type: the file's numbers make it a regression, as run_classification's float column
                "line 1 of " + floats + ": \"label\" has 1 number(s) but the model has 3 outputs"};
        for (int i = 0; i < cases.length; i++) {
            var r = CliRunner.run(cases[i]);
            assertEquals(1, r.exit(), r.err());
            assertTrue(r.err().startsWith("mlm4j: ") && r.err().contains(expected[i]), expected[i] + " in: " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        }
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
                {"train", "mlm", "--model", fixture("tiny-bert-mlm"), "--train", tmp.resolve("t.txt").toString(), "--output", tmp.resolve("f").toString(), "--dropout", "lots"},
                {"train", "classify", "--model", fixture("tiny-bert-classify"), "--train", unknown.toString(), "--output", tmp.resolve("g").toString(), "--whole-word"},
                {"train", "tag", "--model", fixture("tiny-bert-classify"), "--train", unknown.toString(), "--output", tmp.resolve("h").toString(), "--blocks"},
        };
        String[] expected = {"has no examples", "unknown label 'zebra' on line 2", "unknown training task 'summarise'", "no such file", "is not a model folder",
                "--dropout must be config, off or a probability in [0, 1), got 'lots'", "--whole-word goes with mlm", "--blocks goes with mlm or clm"};
        for (int i = 0; i < cases.length; i++) {
            var r = CliRunner.run(cases[i]);
            assertEquals(1, r.exit(), r.err());
            assertTrue(r.err().startsWith("mlm4j: ") && r.err().contains(expected[i]), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        }
    }

    /**
     * Each message names the file it is about, as it is called (an empty --eval is the evaluation file; a ragged CoNLL
     * line and a corrupt trainer_state.json name their file), without Jackson's internals, and a token classifier given
     * to classify is refused as a sequence classifier given to tag is, not with a missing pooler.
     */
    @Test
    void messagesNameTheFileAndTheModelTheyAreAbout() throws IOException {
        Path train = jsonl("train.jsonl", 6), empty = Files.writeString(tmp.resolve("empty.jsonl"), "\n");
        Path ragged = Files.write(tmp.resolve("rag.conll"), List.of("w5 T0", "w6")), tags = Files.write(tmp.resolve("t.conll"), List.of("w5 T0", ""));
        Path bad = Files.write(tmp.resolve("bad.jsonl"), List.of("{\"text\":\"w5\",\"label\":\"a\"}", "{\"text\": \"w6\", \"label\""));
        Path five = Files.write(tmp.resolve("five.jsonl"), List.of("{\"text\":5,\"label\":\"a\"}"));
        Path run = tmp.resolve("run");
        var first = CliRunner.run("train", "classify", "--model", fixture("tiny-bert-classify"), "--train", train.toString(), "--output", run.toString(), "--max-steps", "1");
        assertEquals(0, first.exit(), first.err());
        Path state = run.resolve("checkpoint").resolve("trainer_state.json");
        Files.writeString(state, "{\"step\": 1, \"opt");
        String[][] cases = {
                {"train", "classify", "--model", fixture("tiny-bert-classify"), "--train", train.toString(), "--eval", empty.toString(), "--output", tmp.resolve("a").toString()},
                {"train", "tag", "--model", fixture("tiny-bert-tag"), "--train", tags.toString(), "--eval", ragged.toString(), "--output", tmp.resolve("b").toString()},
                {"train", "classify", "--model", fixture("tiny-bert-classify"), "--train", bad.toString(), "--output", tmp.resolve("c").toString()},
                {"train", "classify", "--model", fixture("tiny-bert-classify"), "--train", five.toString(), "--output", tmp.resolve("d").toString()},
                {"train", "classify", "--model", fixture("tiny-bert-tag"), "--train", train.toString(), "--output", tmp.resolve("e").toString()},
                {"train", "classify", "--train", train.toString(), "--resume", run.toString(), "--output", run.toString()},
        };
        String[] expected = {
                "mlm4j: evaluation file " + empty + " has no examples",
                "mlm4j: line 2 of " + ragged + ": expected a token and a tag separated by whitespace, got 'w6'",
                "mlm4j: line 2 of " + bad + " is not JSON at column 23: Unexpected end-of-input within/between Object entries",
                "mlm4j: line 1 of " + five + ": \"text\" is number 5, not a string",
                "mlm4j: model " + fixture("tiny-bert-tag") + " is a BertForTokenClassification: 'classify' needs a model with a sequence-classification head"
                        + " (*ForSequenceClassification) or a plain encoder",
                "mlm4j: checkpoint file " + state + " is not JSON at column 17: "};
        for (int i = 0; i < cases.length; i++) {
            var r = CliRunner.run(cases[i]);
            assertEquals(1, r.exit(), r.err());
            assertTrue(r.err().startsWith(expected[i]), expected[i] + " in: " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(r.err().contains("Source") || r.err().contains("Exception"), r.err());
        }
    }

    private static String family(String name) {
        return Path.of("..", "mlm4j-core", "src", "test", "resources", "families", name).toAbsolutePath().normalize().toString();
    }

    /**
     * RoBERTa and XLM-R train: a masked LM continues, and a masked LM given to classify/tag gets the family's own new head
     * (classifier.dense + out_proj, or classifier), saved as a RobertaFor…/XLMRobertaFor… folder that classify/ner read;
     * ELECTRA's discriminator gets its classifier the same way; DistilBERT's masked LM continues and gets its
     * pre_classifier + classifier; clm (on RoBERTa and on ModernBERT) and ELECTRA's generator are one-line refusals.
     */
    @Test
    void robertaXlmRobertaElectraAndDistilBertTrainWithTheirOwnHeads() throws IOException {
        Path text = Files.write(tmp.resolve("text.txt"), List.of("the jury said the city was fine", "a man went to the market", "she had a long day"));
        var mlm = CliRunner.run("train", "mlm", "--model", family("roberta-tiny"), "--train", text.toString(), "--output", tmp.resolve("mlm").toString(),
                "--max-steps", "2", "--json");
        assertEquals(0, mlm.exit(), mlm.err());
        assertEquals("RobertaForMaskedLM", new ObjectMapper().readTree(tmp.resolve("mlm").resolve("config.json").toFile()).get("architectures").get(0).asText());
        var fill = CliRunner.run("fill-mask", "--model", tmp.resolve("mlm").toString(), "--json", "the jury said the <mask> was fine");
        assertEquals(0, fill.exit(), fill.err());

        Path labelled = Files.write(tmp.resolve("c.jsonl"), List.of("{\"text\":\"the jury said\",\"label\":\"a\"}",
                "{\"text\":\"a man went\",\"label\":\"b\"}", "{\"text\":\"she had a day\",\"label\":\"a\"}"));
        Path out = tmp.resolve("classify");
        var r = CliRunner.run("train", "classify", "--model", family("xlm-roberta-tiny"), "--train", labelled.toString(), "--output", out.toString(), "--max-steps", "2");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("starting a new XLMRobertaForSequenceClassification for the 2 labels"), r.err());
        JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertEquals("XLMRobertaForSequenceClassification", config.get("architectures").get(0).asText());
        assertEquals("xlm-roberta", config.get("model_type").asText());
        try (var weights = dev.mlm4j.weights.safetensors.SafetensorsCheckpoint.open(out)) {
            assertTrue(weights.names().containsAll(List.of("classifier.dense.weight", "classifier.out_proj.weight", "roberta.embeddings.word_embeddings.weight")),
                    weights.names().toString());
            assertTrue(weights.names().stream().noneMatch(n -> n.startsWith("bert.") || n.startsWith("lm_head.")), weights.names().toString());
        }
        var c = CliRunner.run("classify", "--model", out.toString(), "--json", "the jury said");
        assertEquals(0, c.exit(), c.err());

        // ELECTRA's discriminator (ElectraForPreTraining) given to classify: its own new head on its projected encoder
        Path electra = tmp.resolve("electra");
        var el = CliRunner.run("train", "classify", "--model", family("electra-tiny-pretraining"), "--train", labelled.toString(), "--output", electra.toString(),
                "--max-steps", "2");
        assertEquals(0, el.exit(), el.err());
        assertEquals("ElectraForSequenceClassification", new ObjectMapper().readTree(electra.resolve("config.json").toFile()).get("architectures").get(0).asText());
        try (var weights = dev.mlm4j.weights.safetensors.SafetensorsCheckpoint.open(electra)) {
            assertTrue(weights.names().containsAll(List.of("classifier.out_proj.weight", "electra.embeddings_project.weight")), weights.names().toString());
            assertTrue(weights.names().stream().noneMatch(n -> n.startsWith("discriminator_predictions.")), weights.names().toString());
        }

        // DistilBERT: its masked LM continues (vocab_* head at the root), and classify starts pre_classifier + classifier
        Path distilMlm = tmp.resolve("distil-mlm");
        var dm = CliRunner.run("train", "mlm", "--model", family("distilbert-tiny"), "--train", text.toString(), "--output", distilMlm.toString(),
                "--max-steps", "2");
        assertEquals(0, dm.exit(), dm.err());
        assertEquals("DistilBertForMaskedLM", new ObjectMapper().readTree(distilMlm.resolve("config.json").toFile()).get("architectures").get(0).asText());
        var distilFill = CliRunner.run("fill-mask", "--model", distilMlm.toString(), "--json", "the jury said the [MASK] was fine");
        assertEquals(0, distilFill.exit(), distilFill.err());
        Path distil = tmp.resolve("distil-classify");
        var dc = CliRunner.run("train", "classify", "--model", family("distilbert-tiny"), "--train", labelled.toString(), "--output", distil.toString(),
                "--max-steps", "2");
        assertEquals(0, dc.exit(), dc.err());
        assertTrue(dc.err().contains("starting a new DistilBertForSequenceClassification for the 2 labels"), dc.err());
        assertEquals("DistilBertForSequenceClassification", new ObjectMapper().readTree(distil.resolve("config.json").toFile()).get("architectures").get(0).asText());
        try (var weights = dev.mlm4j.weights.safetensors.SafetensorsCheckpoint.open(distil)) {
            assertTrue(weights.names().containsAll(List.of("pre_classifier.weight", "classifier.weight", "distilbert.transformer.layer.0.ffn.lin1.weight")),
                    weights.names().toString());
            assertTrue(weights.names().stream().noneMatch(n -> n.startsWith("vocab_") || n.startsWith("bert.")), weights.names().toString());
        }
        var dcl = CliRunner.run("classify", "--model", distil.toString(), "--json", "the jury said");
        assertEquals(0, dcl.exit(), dcl.err());

        Path tags = Files.write(tmp.resolve("tags.conll"), List.of("John B-PER", "went O", "home O", "", "Mary B-PER", "said O"));
        var tag = CliRunner.run("train", "tag", "--model", family("roberta-tiny"), "--train", tags.toString(), "--output", tmp.resolve("tag").toString(), "--max-steps", "2");
        assertEquals(0, tag.exit(), tag.err());
        var ner = CliRunner.run("ner", "--model", tmp.resolve("tag").toString(), "--json", "John went home");
        assertEquals(0, ner.exit(), ner.err());

        String[][] refused = {
                {"train", "clm", "--model", family("roberta-tiny"), "--train", text.toString(), "--output", tmp.resolve("x").toString()},
                {"train", "mlm", "--model", family("electra-tiny"), "--train", text.toString(), "--output", tmp.resolve("w").toString()},
                {"train", "clm", "--model", family("modernbert-tiny"), "--train", text.toString(), "--output", tmp.resolve("z").toString()},
        };
        String[] why = {"'clm' trains BERT models", "an ElectraForMaskedLM has no backward pass yet",
                "a ModernBertForMaskedLM trains with 'mlm', 'classify', 'pairs' or 'tag'"};
        for (int i = 0; i < refused.length; i++) {
            var e = CliRunner.run(refused[i]);
            assertEquals(1, e.exit(), e.err());
            assertTrue(e.err().startsWith("mlm4j: ") && e.err().contains(why[i]), e.err());
            assertEquals(1, e.err().strip().lines().count(), e.err());
            assertFalse(Files.exists(tmp.resolve(refused[i][7])), "nothing written for " + refused[i][1]);
        }
    }

    /**
     * ModernBERT trains: its masked LM continues (head.* and the decoder's bias at the root, the decoder tied), and given
     * to classify and tag it gets ModernBertFor…Classification keeping its prediction head (head.*) with a new
     * classifier; each folder is read back by fill-mask, classify and ner.
     */
    @Test
    void modernBertTrainsMlmClassifyAndTag() throws IOException {
        Path text = Files.write(tmp.resolve("text.txt"), List.of("the jury said the city was fine", "a man went to the market", "she had a long day"));
        Path mlm = tmp.resolve("mb-mlm");
        var m = CliRunner.run("train", "mlm", "--model", family("modernbert-tiny"), "--train", text.toString(), "--output", mlm.toString(), "--max-steps", "2");
        assertEquals(0, m.exit(), m.err());
        assertEquals("ModernBertForMaskedLM", new ObjectMapper().readTree(mlm.resolve("config.json").toFile()).get("architectures").get(0).asText());
        var fill = CliRunner.run("fill-mask", "--model", mlm.toString(), "--json", "the jury said the [MASK] was fine");
        assertEquals(0, fill.exit(), fill.err());

        Path labelled = Files.write(tmp.resolve("mb.jsonl"), List.of("{\"text\":\"the jury said\",\"label\":\"a\"}",
                "{\"text\":\"a man went\",\"label\":\"b\"}", "{\"text\":\"she had a day\",\"label\":\"a\"}"));
        Path classify = tmp.resolve("mb-classify");
        var c = CliRunner.run("train", "classify", "--model", family("modernbert-tiny"), "--train", labelled.toString(), "--output", classify.toString(),
                "--max-steps", "2");
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.err().contains("starting a new ModernBertForSequenceClassification for the 2 labels"), c.err());
        assertEquals("ModernBertForSequenceClassification", new ObjectMapper().readTree(classify.resolve("config.json").toFile()).get("architectures").get(0).asText());
        try (var weights = dev.mlm4j.weights.safetensors.SafetensorsCheckpoint.open(classify)) {
            assertTrue(weights.names().containsAll(List.of("classifier.weight", "classifier.bias", "head.dense.weight", "head.norm.weight",
                    "model.embeddings.tok_embeddings.weight", "model.layers.1.attn.Wqkv.weight", "model.final_norm.weight")), weights.names().toString());
            assertTrue(weights.names().stream().noneMatch(n -> n.startsWith("decoder.") || n.startsWith("bert.") || n.endsWith("norm.bias")),
                    weights.names().toString());
        }
        var cl = CliRunner.run("classify", "--model", classify.toString(), "--json", "the jury said");
        assertEquals(0, cl.exit(), cl.err());

        Path tags = Files.write(tmp.resolve("mb-tags.conll"), List.of("John B-PER", "went O", "home O", "", "Mary B-PER", "said O"));
        Path tag = tmp.resolve("mb-tag");
        var t = CliRunner.run("train", "tag", "--model", family("modernbert-tiny"), "--train", tags.toString(), "--output", tag.toString(), "--max-steps", "2");
        assertEquals(0, t.exit(), t.err());
        assertEquals("ModernBertForTokenClassification", new ObjectMapper().readTree(tag.resolve("config.json").toFile()).get("architectures").get(0).asText());
        var ner = CliRunner.run("ner", "--model", tag.toString(), "--json", "John went home");
        assertEquals(0, ner.exit(), ner.err());
    }

    /**
     * A training file of one label name (a tiny slice of a sorted corpus): the new head says single_label_classification,
     * since transformers reads num_labels 1 without a problem_type as a regression, and the run warns that it learns nothing.
     */
    /**
     * DeBERTa-v3 (deberta-v3-tiny, a DebertaV2ForMaskedLM with the lm_predictions head): its masked LM continues, and
     * classify and tag start new heads on it (pooler.dense + classifier; classifier), each folder loading back.
     */
    @Test
    void debertaV3TrainsItsMaskedLmAndNewClassifiers() throws IOException {
        Path text = Files.write(tmp.resolve("text.txt"), List.of("the jury said the city was fine", "a man went to the market", "she had a long day"));
        Path mlm = tmp.resolve("deberta-mlm");
        var m = CliRunner.run("train", "mlm", "--model", family("deberta-v3-tiny"), "--train", text.toString(), "--output", mlm.toString(), "--max-steps", "2");
        assertEquals(0, m.exit(), m.err());
        try (var weights = dev.mlm4j.weights.safetensors.SafetensorsCheckpoint.open(mlm)) {
            assertTrue(weights.names().containsAll(List.of("lm_predictions.lm_head.bias", "deberta.encoder.rel_embeddings.weight", "deberta.encoder.LayerNorm.weight")),
                    weights.names().toString());
        }
        var fill = CliRunner.run("fill-mask", "--model", mlm.toString(), "--json", "the jury said the [MASK] was fine");
        assertEquals(0, fill.exit(), fill.err());

        Path labelled = Files.write(tmp.resolve("d.jsonl"), List.of("{\"text\":\"the jury said\",\"label\":\"a\"}",
                "{\"text\":\"a man went\",\"label\":\"b\"}"));
        Path cls = tmp.resolve("deberta-classify");
        var c = CliRunner.run("train", "classify", "--model", family("deberta-v3-tiny"), "--train", labelled.toString(), "--output", cls.toString(), "--max-steps", "2");
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.err().contains("starting a new DebertaV2ForSequenceClassification for the 2 labels"), c.err());
        try (var weights = dev.mlm4j.weights.safetensors.SafetensorsCheckpoint.open(cls)) {
            List<String> saved = weights.names().stream().map(weights::storedName).toList();   // as written, not mlm4j's canonical bert.pooler
            assertTrue(saved.containsAll(List.of("pooler.dense.weight", "classifier.weight", "deberta.encoder.layer.1.attention.self.query_proj.weight")),
                    saved.toString());
            assertTrue(saved.stream().noneMatch(n -> n.startsWith("lm_predictions.") || n.startsWith("bert.")), saved.toString());
        }
        var classified = CliRunner.run("classify", "--model", cls.toString(), "--json", "the jury said");
        assertEquals(0, classified.exit(), classified.err());

        Path tags = Files.write(tmp.resolve("d.conll"), List.of("John B-PER", "went O", "home O", "", "Mary B-PER", "said O"));
        Path tag = tmp.resolve("deberta-tag");
        var t = CliRunner.run("train", "tag", "--model", family("deberta-v3-tiny"), "--train", tags.toString(), "--output", tag.toString(), "--max-steps", "2");
        assertEquals(0, t.exit(), t.err());
        assertEquals("DebertaV2ForTokenClassification", new ObjectMapper().readTree(tag.resolve("config.json").toFile()).get("architectures").get(0).asText());
        var ner = CliRunner.run("ner", "--model", tag.toString(), "--json", "John went home");
        assertEquals(0, ner.exit(), ner.err());
    }

    @Test
    void oneLabelNameTrainsASingleLabelHeadAndWarns() throws IOException {
        Path one = Files.write(tmp.resolve("one.jsonl"), List.of("{\"text\":\"w5 w6\",\"label\":\"news\"}", "{\"text\":\"w7 w8 w9\",\"label\":\"news\"}"));
        Path out = tmp.resolve("one");
        var r = CliRunner.run("train", "classify", "--model", fixture("tiny-bert-mlm"), "--train", one.toString(), "--output", out.toString(), "--max-steps", "1");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("warning: the training file names one label [news]"), r.err());
        JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertEquals("single_label_classification", config.get("problem_type").asText());
        assertEquals("news", config.get("id2label").get("0").asText());
    }
}
