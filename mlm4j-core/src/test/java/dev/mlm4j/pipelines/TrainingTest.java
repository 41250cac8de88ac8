package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.config.Precision;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.train.Objective;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Training} end to end on the tiny BERTs of training/ (vocabulary [PAD] [UNK] [CLS] [SEP] [MASK] w5 … w99, 64
 * positions): every task runs and writes a Hugging Face folder, its log and loss curve; a run stopped halfway and
 * resumed gives the straight run's losses bit for bit; the classifier's folder loads back in the pipelines; bad input
 * is one line.
 */
class TrainingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path fixture(String name) {
        try {
            return Path.of(TrainingTest.class.getResource("/training/" + name + "/config.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code n} lines of 3 … 12 words w5 … w99, seeded. */
    static List<String> sentences(int n, long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0, len = 3 + r.nextInt(10); w < len; w++) sb.append(w == 0 ? "" : " ").append("w").append(5 + r.nextInt(95));
            out.add(sb.toString());
        }
        return out;
    }

    private static Training.Options options(int maxSteps, int batchTokens) {
        return options(maxSteps, batchTokens, Training.OFF);
    }

    private static Training.Options options(int maxSteps, int batchTokens, String dropout) {
        return new Training.Options(2, 1e-3, batchTokens, 7, maxSteps, 0.1, 0.01, 1, false, true, false, 1.0, dropout);
    }

    private static List<JsonNode> log(Path out) throws IOException {
        List<JsonNode> l = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve(Training.LOG))) l.add(JSON.readTree(line));
        return l;
    }

    private static List<Double> losses(Path out) throws IOException {
        return log(out).stream().filter(n -> n.has("loss")).map(n -> n.get("loss").asDouble()).toList();
    }

    /** A listener that counts the steps taken, for a stop condition. */
    private static Training.Listener counting(AtomicInteger steps) {
        return new Training.Listener() {
            @Override
            public void step(java.util.Map<String, Object> entry, int total) {
                steps.incrementAndGet();
            }
        };
    }

    /** With dropout too: its masks come from the seed, the step and the micro-batch, so the halves draw the straight run's. */
    @ParameterizedTest
    @ValueSource(strings = {Training.OFF, "0.1"})
    void aStoppedAndResumedRunGivesTheStraightRunsLossesBitForBit(String dropout, @TempDir Path tmp) throws IOException {
        Path train = tmp.resolve("train.txt");
        Files.write(train, sentences(40, 1));
        Training.Options o = options(8, 60, dropout);
        Path straight = tmp.resolve("straight"), halves = tmp.resolve("halves");
        Training.Summary s = Training.run("mlm", fixture("tiny-bert-mlm").toString(), train, null, straight, null, o, null, null, null);
        assertEquals(8, s.steps());
        AtomicInteger steps = new AtomicInteger();
        Training.Listener count = counting(steps);
        Training.Summary first = Training.run("mlm", fixture("tiny-bert-mlm").toString(), train, null, halves, null, o, count, () -> steps.get() >= 4, null);
        assertTrue(first.interrupted());
        assertEquals(4, first.steps());
        Training.Summary second = Training.run("mlm", null, train, null, halves, halves, o, null, null, null);
        assertFalse(second.interrupted());
        assertEquals(8, second.steps());
        List<Double> a = losses(straight), b = losses(halves);
        assertEquals(8, a.size());
        assertEquals(a, b, "the same 8 losses, bit for bit");
        assertTrue(Files.isRegularFile(halves.resolve("checkpoint/" + Training.STATE)) && Files.isRegularFile(halves.resolve("checkpoint/" + Training.OPTIMIZER)));
        assertEquals(-1L, Files.mismatch(straight.resolve("model.safetensors"), halves.resolve("model.safetensors")), "the same final weights");
    }

    /** Resumed into a new folder, the run's log there starts at step 1 (the resumed run's entries, then its own). */
    @Test
    void aRunResumedIntoANewFolderLogsEveryStep(@TempDir Path tmp) throws IOException {
        Path train = tmp.resolve("train.txt");
        Files.write(train, sentences(40, 1));
        Training.Options o = options(8, 60, Training.OFF);
        Path straight = tmp.resolve("straight"), first = tmp.resolve("first"), elsewhere = tmp.resolve("elsewhere");
        Training.run("mlm", fixture("tiny-bert-mlm").toString(), train, null, straight, null, o, null, null, null);
        AtomicInteger steps = new AtomicInteger();
        Training.Listener count = counting(steps);
        assertTrue(Training.run("mlm", fixture("tiny-bert-mlm").toString(), train, null, first, null, o, count, () -> steps.get() >= 3, null).interrupted());
        assertEquals(8, Training.run("mlm", null, train, null, elsewhere, first.resolve("checkpoint"), o, null, null, null).steps());
        assertEquals(losses(straight), losses(elsewhere), "steps 1–8 in the new folder's log, the straight run's losses");
    }

    /**
     * --dropout: "config" reads transformers' names (BERT's, DistilBERT's; classifier_dropout null → the hidden rate,
     * a missing field → 0.1), "off" and 0 are none, P sets every site, anything else is a one-line error; and a run
     * with dropout computes other losses than one without (the tiny fixture's config says 0, so P is used here).
     */
    @Test
    void dropoutComesFromTheConfigAsTransformersReadsIt(@TempDir Path tmp) throws IOException {
        var bert = JSON.readTree("{\"hidden_dropout_prob\": 0.1, \"attention_probs_dropout_prob\": 0.2, \"classifier_dropout\": null}");
        assertEquals(new Dropout(0.1, 0.2, 0.1, 5), Training.dropoutRates(Training.CONFIG, bert, Objective.CLASSIFY, 5));
        var distil = JSON.readTree("{\"dropout\": 0.1, \"attention_dropout\": 0.15, \"seq_classif_dropout\": 0.2}");
        assertEquals(new Dropout(0.1, 0.15, 0.2, 5), Training.dropoutRates(Training.CONFIG, distil, Objective.CLASSIFY, 5));
        assertEquals(new Dropout(0.1, 0.15, 0.1, 5), Training.dropoutRates(Training.CONFIG, distil, Objective.TAG, 5), "token classifiers use the hidden rate");
        assertEquals(new Dropout(0.1, 0.1, 0.1, 5), Training.dropoutRates(Training.CONFIG, JSON.readTree("{}"), Objective.MLM, 5));
        assertEquals(Dropout.OFF, Training.dropoutRates(Training.OFF, bert, Objective.MLM, 5));
        assertEquals(Dropout.OFF, Training.dropoutRates("0", bert, Objective.MLM, 5));
        assertEquals(new Dropout(0.3, 0.3, 0.3, 5), Training.dropoutRates("0.3", bert, Objective.MLM, 5));
        for (String bad : new String[] {"1", "-0.1", "lots"}) {
            String m = assertThrows(IllegalArgumentException.class, () -> Training.dropoutRates(bad, bert, Objective.MLM, 5)).getMessage();
            assertTrue(m.startsWith("--dropout must be config, off or a probability in [0, 1)"), m);
        }
        String m = assertThrows(IllegalArgumentException.class,
                () -> Training.dropoutRates(Training.CONFIG, JSON.readTree("{\"hidden_dropout_prob\": 1.5}"), Objective.MLM, 5)).getMessage();
        assertTrue(m.contains("hidden_dropout_prob is 1.5"), m);

        Path train = Files.write(tmp.resolve("train.txt"), sentences(20, 3));
        Training.run("mlm", fixture("tiny-bert-mlm").toString(), train, null, tmp.resolve("off"), null, options(2, 60), null, null, null);
        Training.run("mlm", fixture("tiny-bert-mlm").toString(), train, null, tmp.resolve("on"), null, options(2, 60, "0.2"), null, null, null);
        assertNotEquals(losses(tmp.resolve("off")).getFirst(), losses(tmp.resolve("on")).getFirst(), "dropout changes the first step's loss");
    }

    @Test
    void classificationTrainsWritesItsLogAndLoadsBackAsAPipeline(@TempDir Path tmp) throws IOException {
        List<String> texts = sentences(30, 2), lines = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) lines.add("{\"text\":\"" + texts.get(i) + "\",\"label\":\"" + "abc".charAt(i % 3) + "\"}");
        Path train = tmp.resolve("train.jsonl"), eval = tmp.resolve("eval.jsonl"), out = tmp.resolve("out");
        Files.write(train, lines);
        Files.write(eval, lines.subList(0, 9));
        Training.Summary s = Training.run("classify", fixture("tiny-bert-classify").toString(), train, eval, out, null,
                new Training.Options(3, 1e-3, 80, 1, 0, 0, 0, 1, false, true, false, 1.0), null, null, null);
        assertEquals(s.totalSteps(), s.steps());
        assertEquals(3, s.epochs());
        List<JsonNode> log = log(out);
        JsonNode firstStep = log.getFirst();
        for (String k : List.of("step", "epoch", "loss", "learning_rate", "grad_norm", "tokens", "tokens_per_second")) assertTrue(firstStep.has(k), k);
        List<JsonNode> evals = log.stream().filter(n -> n.has("eval_loss")).toList();
        assertEquals(3, evals.size(), "one evaluation per epoch");
        assertEquals(9, evals.getFirst().get("eval_rows").asInt());
        assertTrue(evals.getLast().has("eval_macro_f1") && evals.getLast().has("eval_accuracy"));
        assertTrue(losses(out).getLast() < losses(out).getFirst(), "the loss went down");
        var png = ImageIO.read(out.resolve(Training.CURVE).toFile());
        assertEquals(800, png.getWidth());
        TextClassification pipeline = Models.textClassification(out.toString(), null, Precision.FP32);
        assertEquals(List.of("a", "b", "c"), pipeline.labels());
        assertEquals(3, pipeline.classify(texts.getFirst(), TextClassification.Options.DEFAULT.withTopK(3)).size());
    }

    @Test
    void taggingFromConllPairsAndCausalLmFromPackedBlocksRun(@TempDir Path tmp) throws IOException {
        List<String> conll = new ArrayList<>();
        Random r = new Random(3);
        for (String sentence : sentences(12, 3)) {
            for (String w : sentence.split(" ")) conll.add(w + " T" + r.nextInt(5));
            conll.add("");
        }
        Path tags = tmp.resolve("train.conll");
        Files.write(tags, conll);
        Training.Summary tag = Training.run("tag", fixture("tiny-bert-tag").toString(), tags, tags, tmp.resolve("tag"), null, options(3, 64), null, null, null);
        assertEquals(3, tag.steps());
        assertTrue(tag.eval().containsKey("eval_macro_f1"));

        List<String> pairs = new ArrayList<>();
        List<String> s = sentences(10, 4);
        for (int i = 0; i + 1 < s.size(); i++) pairs.add("{\"text_a\":\"" + s.get(i) + "\",\"text_b\":\"" + s.get(i + 1) + "\",\"label\":\"" + "ab".charAt(i % 2) + "\"}");
        Path pairFile = tmp.resolve("pairs.jsonl");
        Files.write(pairFile, pairs);
        assertEquals(2, Training.run("pairs", fixture("tiny-bert-classify").toString(), pairFile, null, tmp.resolve("pairs"), null, options(2, 64), null, null, null).steps());

        Path text = tmp.resolve("text.txt");
        Files.write(text, sentences(30, 5));
        Training.Options blocks = new Training.Options(1, 1e-3, 128, 3, 0, 0, 0, 2, false, true, true, 1.0);
        Training.Summary clm = Training.run("clm", fixture("tiny-bert-mlm").toString(), text, text, tmp.resolve("clm"), null, blocks, null, null, null);
        assertTrue(clm.steps() >= 1);
        assertTrue(clm.eval().containsKey("eval_perplexity"));
        // a causal LM from a masked LM: config.json says so, as transformers' BertLMHeadModel, and mlm is refused on it
        JsonNode config = JSON.readTree(tmp.resolve("clm/config.json").toFile());
        assertEquals("BertLMHeadModel", config.get("architectures").get(0).asText());
        assertTrue(config.get("is_decoder").asBoolean());
        assertTrue(JSON.readTree(tmp.resolve("clm/checkpoint/config.json").toFile()).get("is_decoder").asBoolean());
        String message = assertThrows(IllegalArgumentException.class, () -> Training.run("mlm", tmp.resolve("clm").toString(), text, null,
                tmp.resolve("mlm-on-clm"), null, blocks, null, null, null)).getMessage();
        assertTrue(message.endsWith("is a causal language model (config.json: \"is_decoder\": true): 'mlm' needs a bidirectional model (train it further with 'clm')"), message);
        // classify on the causal LM: a new classifier that pools the last token, still causal, loading back in the pipeline
        List<String> lines = new ArrayList<>();
        List<String> texts = sentences(8, 9);
        for (int i = 0; i < texts.size(); i++) lines.add("{\"text\":\"" + texts.get(i) + "\",\"label\":\"" + (i % 2 == 0 ? "yes" : "no") + "\"}");
        Path labelled = Files.write(tmp.resolve("labelled.jsonl"), lines);
        Training.run("classify", tmp.resolve("clm").toString(), labelled, labelled, tmp.resolve("clm-classify"), null, options(2, 64), null, null, null);
        JsonNode classifier = JSON.readTree(tmp.resolve("clm-classify/config.json").toFile());
        assertEquals("BertForSequenceClassification", classifier.get("architectures").get(0).asText());
        assertTrue(classifier.get("is_decoder").asBoolean());
        assertEquals("last", classifier.get("mlm4j_pooling").asText());
        assertEquals(List.of("no", "yes"), Models.textClassification(tmp.resolve("clm-classify").toString(), null, Precision.FP32).labels());
    }

    /** A masked LM (no pooler, no classifier) gets a new head for the training file's labels, as from_pretrained(num_labels=…). */
    @Test
    void fineTuningAMaskedLmStartsANewHeadWithTheFilesLabels(@TempDir Path tmp) throws IOException {
        List<String> texts = sentences(12, 6), lines = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) lines.add("{\"text\":\"" + texts.get(i) + "\",\"label\":\"" + (i % 2 == 0 ? "yes" : "no") + "\"}");
        Path train = Files.write(tmp.resolve("train.jsonl"), lines), out = tmp.resolve("out");
        List<String> notes = new ArrayList<>();
        Training.Listener listener = new Training.Listener() {
            @Override
            public void warning(String line) {
                notes.add(line);
            }
        };
        // evaluation data with a label the new head does not have: refused, and the new head's note never said
        Path badEval = Files.write(tmp.resolve("eval.jsonl"), List.of("{\"text\":\"a b\",\"label\":\"maybe\"}"));
        assertThrows(IllegalArgumentException.class, () -> Training.run("classify", fixture("tiny-bert-mlm").toString(), train, badEval,
                tmp.resolve("refused"), null, options(2, 64), listener, null, null));
        assertEquals(List.of(), notes, "a run refused for its data says only why");
        Training.run("classify", fixture("tiny-bert-mlm").toString(), train, null, out, null, options(2, 64), listener, null, null);
        assertTrue(notes.getFirst().contains("starting a new BertForSequenceClassification for the 2 labels of the training file [no, yes]"), notes.toString());
        assertEquals(List.of("no", "yes"), Models.textClassification(out.toString(), null, Precision.FP32).labels());
        JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
        assertEquals("BertForSequenceClassification", config.get("architectures").get(0).asText());

        List<String> conll = new ArrayList<>();
        for (String sentence : sentences(4, 7)) {
            for (String w : sentence.split(" ")) conll.add(w + " " + (w.length() == 2 ? "SHORT" : "LONG"));
            conll.add("");
        }
        Path tags = Files.write(tmp.resolve("tags.conll"), conll);
        Training.run("tag", fixture("tiny-bert-mlm").toString(), tags, null, tmp.resolve("tagged"), null, options(1, 64), null, null, null);
        assertEquals(List.of("LONG", "SHORT"), Models.tokenClassification(tmp.resolve("tagged").toString(), null, Precision.FP32).labels());
    }

    /** A loss that overflows stops the run in one line and keeps the weights of the step before as the checkpoint. */
    @Test
    void aLossThatIsNotANumberStopsAndKeepsTheLastGoodCheckpoint(@TempDir Path tmp) throws IOException {
        Path train = Files.write(tmp.resolve("train.txt"), sentences(20, 8)), out = tmp.resolve("out");
        Training.Options explode = new Training.Options(1, 1e30, 64, 1, 6, 0, 0, 1, false, true, false, 0);
        var e = assertThrows(IllegalStateException.class, () -> Training.run("mlm", fixture("tiny-bert-mlm").toString(), train, null, out, null, explode, null, null, null));
        assertTrue(e.getMessage().matches("loss is (NaN|Infinity) at step \\d+: training stopped.*saved in .*checkpoint"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertTrue(Files.isRegularFile(out.resolve("checkpoint/" + Training.STATE)));
    }

    /**
     * A learning rate of 1e39 (Infinity as a float) makes every weight Inf/NaN at the first step: the epoch's checkpoint
     * is then not saved (it would have been called the last good weights after the next step's NaN loss).
     */
    @Test
    void weightsThatAreNotFiniteAreNotSavedAsACheckpoint(@TempDir Path tmp) throws IOException {
        Path train = Files.write(tmp.resolve("train.txt"), sentences(20, 8)), out = tmp.resolve("out");
        Training.Options explode = new Training.Options(2, 1e39, 4096, 1, 0, 0, 0, 1, false, true, false, 0);
        var e = assertThrows(IllegalStateException.class, () -> Training.run("mlm", fixture("tiny-bert-mlm").toString(), train, null, out, null, explode, null, null, null));
        assertTrue(e.getMessage().matches("the weights are not finite after step 1 \\(.+\\): training stopped, no checkpoint was saved; try a lower --lr"), e.getMessage());
        assertFalse(Files.exists(out.resolve(Training.CHECKPOINT)));
    }

    /** Options that passed the checks but meant nothing: an infinite rate, a negative clipping norm, more steps than an int holds. */
    @Test
    void optionsOutOfRangeAreOneLine(@TempDir Path tmp) throws IOException {
        var lr = assertThrows(IllegalArgumentException.class, () -> new Training.Options(1, Double.POSITIVE_INFINITY, 64, 1, 0, 0, 0, 1, false, true, false, 1.0));
        assertEquals("--lr must be a positive finite number, got Infinity", lr.getMessage());
        var decay = assertThrows(IllegalArgumentException.class, () -> new Training.Options(1, 1e-3, 64, 1, 0, 0, Double.POSITIVE_INFINITY, 1, false, true, false, 1.0));
        assertEquals("--weight-decay must be a finite number, not negative, got Infinity", decay.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Training.Options(1, 1e-3, 64, 1, 0, 0, -0.01, 1, false, true, false, 1.0));
        var norm = assertThrows(IllegalArgumentException.class, () -> new Training.Options(1, 1e-3, 64, 1, 0, 0, 0, 1, false, true, false, -1e-3));
        assertEquals("--max-grad-norm must not be negative (0: no clipping), got -0.001", norm.getMessage());
        new Training.Options(1, 1e-3, 64, 1, 0, 0, 0, 1, false, true, false, 0);          // 0: no clipping
        Path train = Files.write(tmp.resolve("train.txt"), sentences(16, 8));
        Training.Options many = new Training.Options(2_000_000_000, 1e-3, 64, 1, 0, 0, 0, 1, false, true, false, 1.0);
        var steps = assertThrows(IllegalArgumentException.class, () -> Training.run("mlm", fixture("tiny-bert-mlm").toString(), train, null, tmp.resolve("o"), null, many, null, null, null));
        assertEquals("--epochs 2000000000 makes more than 2147483647 steps of 16 sequences: use fewer epochs (or --max-steps)", steps.getMessage());
        assertFalse(Files.exists(tmp.resolve("o")));
    }

    /** An output that is a file is refused before training, not after the whole run with an UncheckedIOException naming only the path. */
    @Test
    void anOutputThatIsAFileIsRefusedBeforeTraining(@TempDir Path tmp) throws IOException {
        Path train = Files.write(tmp.resolve("train.txt"), sentences(16, 8));
        Path file = Files.writeString(tmp.resolve("out.txt"), "mine");
        AtomicInteger steps = new AtomicInteger();
        var e = assertThrows(IllegalArgumentException.class, () -> Training.run("mlm", fixture("tiny-bert-mlm").toString(), train, null, file, null,
                options(2, 64), counting(steps), null, null));
        assertEquals("output " + file + " is a file, not a folder", e.getMessage());
        assertEquals(0, steps.get());
        assertEquals("mine", Files.readString(file));
    }

    /** Training.run's javadoc: bad input is one IllegalArgumentException; a null file, folder or options were NullPointerExceptions from inside. */
    @Test
    void missingArgumentsAreOneLine(@TempDir Path tmp) throws IOException {
        Path train = Files.write(tmp.resolve("train.txt"), sentences(16, 8));
        String model = fixture("tiny-bert-mlm").toString();
        Training.Options o = options(1, 64);
        assertEquals("no training file given", assertThrows(IllegalArgumentException.class,
                () -> Training.run("mlm", model, null, null, tmp.resolve("o1"), null, o, null, null, null)).getMessage());
        assertEquals("no output folder given", assertThrows(IllegalArgumentException.class,
                () -> Training.run("mlm", model, train, null, null, null, o, null, null, null)).getMessage());
        assertEquals("no training options given (Training.Options.defaults() are Hugging Face's)", assertThrows(IllegalArgumentException.class,
                () -> Training.run("mlm", model, train, null, tmp.resolve("o2"), null, null, null, null, null)).getMessage());
    }

    @Test
    void badInputIsOneLine(@TempDir Path tmp) throws IOException {
        Path empty = tmp.resolve("empty.jsonl"), bad = tmp.resolve("bad.jsonl");
        Files.writeString(empty, "\n");
        Files.write(bad, List.of("{\"text\":\"w5 w6\",\"label\":\"a\"}", "{\"text\":\"w7\",\"label\":\"zebra\"}"));
        String model = fixture("tiny-bert-classify").toString();
        Training.Options o = options(1, 64);
        List<String> messages = new ArrayList<>();
        messages.add(assertThrows(IllegalArgumentException.class, () -> Training.run("classify", model, empty, null, tmp.resolve("o1"), null, o, null, null, null)).getMessage());
        assertTrue(messages.getLast().contains("has no examples"), messages.getLast());
        messages.add(assertThrows(IllegalArgumentException.class, () -> Training.run("classify", model, bad, null, tmp.resolve("o2"), null, o, null, null, null)).getMessage());
        assertTrue(messages.getLast().contains("'zebra'") && messages.getLast().contains("line 2"), messages.getLast());
        messages.add(assertThrows(IllegalArgumentException.class, () -> Training.run("summarise", model, bad, null, tmp.resolve("o3"), null, o, null, null, null)).getMessage());
        assertTrue(messages.getLast().contains("unknown training task"), messages.getLast());
        messages.add(assertThrows(IllegalArgumentException.class, () -> Training.run("classify", model, tmp.resolve("missing.jsonl"), null, tmp.resolve("o4"), null, o, null, null, null)).getMessage());
        assertTrue(messages.getLast().contains("no such file"), messages.getLast());
        messages.add(assertThrows(IllegalArgumentException.class, () -> Training.run("tag", model, Files.write(tmp.resolve("t.conll"), List.of("w5 T0", "")), null, tmp.resolve("o5"), null, o, null, null, null)).getMessage());
        assertTrue(messages.getLast().contains("token-classification head"), messages.getLast());
        Path longLine = tmp.resolve("long.jsonl");
        Files.writeString(longLine, "{\"text\":\"" + (sentences(1, 9).getFirst() + " ").repeat(30).strip() + "\",\"label\":\"a\"}\n");
        Training.Options strict = new Training.Options(1, 1e-3, 64, 1, 1, 0, 0, 1, false, false, false, 1.0);
        messages.add(assertThrows(IllegalArgumentException.class, () -> Training.run("classify", model, longLine, null, tmp.resolve("o6"), null, strict, null, null, null)).getMessage());
        assertTrue(messages.getLast().contains("over the model's limit of 64"), messages.getLast());
        for (String m : messages) assertFalse(m.contains("\n"), m);
    }
}
