package dev.mlm4j.train;

import dev.mlm4j.tokens.Tokenizer;
import dev.mlm4j.tokens.WordPieceTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The readers and the tokenization of training files, on a hand-made WordPiece vocabulary where "playing" is
 * play ##ing and "runner" run ##ner: a word's tag on its first piece only (transformers' run_ner), word starts for
 * whole-word masking, the pair formats, CoNLL's sentences and line numbers, truncation and its refusal.
 */
class TrainingDataTest {
    @TempDir Path tmp;

    private static final String VOCAB = String.join("\n", "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "play", "##ing", "run", "##ner", ".", "a", "b") + "\n";
    private static final Tokenizer TOKENIZER = tokenizer();

    private static Tokenizer tokenizer() {
        try {
            return WordPieceTokenizer.fromVocab(new ByteArrayInputStream(VOCAB.getBytes(StandardCharsets.UTF_8)), true);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TrainingData.Tokenization tokenization(int max, boolean truncate) {
        return new TrainingData.Tokenization(TOKENIZER, max, truncate, false);
    }

    /**
     * run_classification's label kinds: integers alone are class names (its int64 column), with a fraction among them
     * numbers (float64: regression); lists of names are multi-label, their targets multi-hot rows over the sorted names.
     */
    @Test
    void labelKindsAndTheirTargets() throws Exception {
        Path names = Files.write(tmp.resolve("ints.jsonl"), List.of("{\"text\":\"a\",\"label\":1}", "{\"text\":\"b\",\"label\":\"x\"}"));
        assertEquals(TrainingData.LabelKind.NAME, TrainingData.labelKind(TrainingData.read(names, Objective.CLASSIFY), names));
        Path numbers = Files.write(tmp.resolve("num.jsonl"), List.of("{\"text\":\"a\",\"label\":1}", "{\"text\":\"b\",\"label\":-2.5e0}"));
        List<TrainingData.Record> records = TrainingData.read(numbers, Objective.CLASSIFY);
        assertEquals(TrainingData.LabelKind.NUMBER, TrainingData.labelKind(records, numbers));
        List<Sequence> s = TrainingData.tokenize(records, Objective.CLASSIFY, new LabelMap(List.of("LABEL_0")),
                dev.mlm4j.config.ProblemType.REGRESSION, tokenization(64, true), "num.jsonl", w -> {});
        assertArrayEquals(new float[] {1f}, s.get(0).targets());
        assertArrayEquals(new float[] {-2.5f}, s.get(1).targets());
        assertNull(s.get(0).labels());

        Path multi = Files.write(tmp.resolve("multi.jsonl"), List.of("{\"text\":\"a\",\"label\":[\"z\",\"x\"]}", "{\"text\":\"b\",\"label\":[]}"));
        records = TrainingData.read(multi, Objective.CLASSIFY);
        assertEquals(TrainingData.LabelKind.NAMES, TrainingData.labelKind(records, multi));
        LabelMap labels = new LabelMap(TrainingData.labels(records));
        assertEquals(List.of("x", "z"), labels.labels());
        s = TrainingData.tokenize(records, Objective.CLASSIFY, labels, dev.mlm4j.config.ProblemType.MULTI_LABEL_CLASSIFICATION, tokenization(64, true), "multi.jsonl", w -> {});
        assertArrayEquals(new float[] {1f, 1f}, s.get(0).targets());
        assertArrayEquals(new float[] {0f, 0f}, s.get(1).targets());
        var e = assertThrows(IllegalArgumentException.class, () -> TrainingData.tokenize(TrainingData.read(numbers, Objective.CLASSIFY), Objective.CLASSIFY,
                labels, dev.mlm4j.config.ProblemType.MULTI_LABEL_CLASSIFICATION, tokenization(64, true), "num.jsonl", w -> {}));
        assertEquals("line 1 of num.jsonl: \"label\" is an integer but the model is for multi_label_classification (a list of label names per text)", e.getMessage());
    }

    @Test
    void aByteOrderMarkIsNotText() throws Exception {
        Path json = Files.write(tmp.resolve("bom.jsonl"), ("\uFEFF{\"text\":\"a\",\"label\":\"x\"}\n").getBytes(StandardCharsets.UTF_8));
        assertEquals("a", TrainingData.read(json, Objective.CLASSIFY).getFirst().text());
        Path conll = Files.write(tmp.resolve("bom.conll"), ("\uFEFFthe O\nrunner B-X\n").getBytes(StandardCharsets.UTF_8));
        assertEquals("the", TrainingData.read(conll, Objective.TAG).getFirst().words().getFirst());
    }

    @Test
    void conllTagsGoOnEachWordsFirstPiece() throws Exception {
        Path f = Files.write(tmp.resolve("train.conll"), List.of("-DOCSTART- -X- O", "", "the DT O", "playing VBG V", "runner NN N", ". . P", "", "", "a DT O", ""));
        List<TrainingData.Record> records = TrainingData.read(f, Objective.TAG);
        assertEquals(2, records.size());
        assertEquals(List.of("the", "playing", "runner", "."), records.getFirst().words());
        assertEquals(3, records.getFirst().line());
        LabelMap labels = new LabelMap(TrainingData.labels(records));
        assertEquals(List.of("N", "O", "P", "V"), labels.labels());
        List<Sequence> s = TrainingData.tokenize(records, Objective.TAG, labels, tokenization(64, true), "train.conll", w -> {});
        Sequence first = s.getFirst();
        // [CLS] the play ##ing run ##ner . [SEP]
        assertArrayEquals(new int[] {2, 5, 6, 7, 8, 9, 10, 3}, first.ids());
        assertArrayEquals(new int[] {-100, 1, 3, -100, 0, -100, 2, -100}, first.labels());
        assertArrayEquals(new boolean[] {true, true, true, false, true, false, true, true}, first.wordStart());
        assertArrayEquals(new boolean[] {true, false, false, false, false, false, false, true}, first.special());
        Path bad = Files.write(tmp.resolve("bad.conll"), List.of("the O", "playing X"));
        var e = assertThrows(IllegalArgumentException.class,
                () -> TrainingData.tokenize(TrainingData.read(bad, Objective.TAG), Objective.TAG, labels, tokenization(64, true), "bad.conll", w -> {}));
        assertEquals("unknown label 'X' on line 2 of bad.conll: the model's labels are [N, O, P, V]", e.getMessage());
    }

    @Test
    void pairsInBothShapesAndClassificationLabels() throws Exception {
        Path f = Files.write(tmp.resolve("pairs.jsonl"), List.of("{\"text_a\":\"the\",\"text_b\":\"a b\",\"label\":\"yes\"}", "",
                "{\"text\":\"run\",\"text_pair\":\"play\",\"label\":\"no\"}"));
        List<TrainingData.Record> r = TrainingData.read(f, Objective.PAIRS);
        assertEquals(2, r.size());
        assertEquals(3, r.get(1).line());
        LabelMap labels = new LabelMap(TrainingData.labels(r));
        List<Sequence> s = TrainingData.tokenize(r, Objective.PAIRS, labels, tokenization(64, true), "pairs.jsonl", w -> {});
        assertArrayEquals(new int[] {2, 5, 3, 11, 12, 3}, s.getFirst().ids());
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1}, s.getFirst().typeIds());
        assertArrayEquals(new int[] {1}, s.getFirst().labels(), "yes is id 1 of [no, yes]");
        var e = assertThrows(IllegalArgumentException.class, () -> TrainingData.read(Files.write(tmp.resolve("c.jsonl"), List.of("{\"text\":\"a\"}")), Objective.CLASSIFY));
        assertEquals("line 1 of " + tmp.resolve("c.jsonl") + " has no \"label\"", e.getMessage());
        // the pairs file given to classify: refused, not trained on its first texts alone
        e = assertThrows(IllegalArgumentException.class, () -> TrainingData.read(f, Objective.CLASSIFY));
        assertEquals("line 1 of " + f + " has \"text_b\": a pair of texts, which the pairs task trains (classify reads \"text\" alone)",
                e.getMessage());
    }

    @Test
    void longSequencesAreTruncatedWithOneWarningOrRefused() throws Exception {
        Path f = Files.write(tmp.resolve("text.txt"), List.of("a b a b a b a b", "a", "the the the the the the"));
        List<TrainingData.Record> r = TrainingData.read(f, Objective.MLM);
        List<String> warnings = new ArrayList<>();
        List<Sequence> s = TrainingData.tokenize(r, Objective.MLM, null, tokenization(6, true), "text.txt", warnings::add);
        assertEquals(List.of(6, 3, 6), s.stream().map(Sequence::length).toList());
        assertNull(s.getFirst().labels());
        assertEquals(List.of("warning: 2 sequence(s) of text.txt longer than 6 tokens were truncated (the first on line 1)"), warnings);
        var e = assertThrows(IllegalArgumentException.class, () -> TrainingData.tokenize(r, Objective.MLM, null, tokenization(6, false), "text.txt", w -> {}));
        assertTrue(e.getMessage().startsWith("line 1 of text.txt has 10 tokens, over the model's limit of 6"), e.getMessage());
    }

    @Test
    void blocksRunTheLinesTogether() throws Exception {
        Path f = Files.write(tmp.resolve("text.txt"), List.of("a b a", "", "b a b a"));
        List<Sequence> s = TrainingData.tokenize(TrainingData.read(f, Objective.CLM), Objective.CLM, null,
                new TrainingData.Tokenization(TOKENIZER, 5, true, true), "text.txt", w -> {});
        assertEquals(3, s.size(), "7 tokens in blocks of 3 (+ [CLS], [SEP])");
        assertArrayEquals(new int[] {2, 11, 12, 11, 3}, s.getFirst().ids());
        assertArrayEquals(new int[] {2, 11, 3}, s.getLast().ids());
    }

    @Test
    void batchesStayWithinTheBudgetAndFollowTheSeed() {
        List<Sequence> seqs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int n = 3 + i % 7;
            seqs.add(new Sequence(new int[n], new int[n], new boolean[n], new boolean[n], null, i + 1));
        }
        List<int[]> a = Batches.plan(seqs, 20, 1, 0, true), b = Batches.plan(seqs, 20, 1, 0, true), c = Batches.plan(seqs, 20, 1, 1, true);
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i));
        int seen = 0;
        for (int[] batch : a) {
            int tokens = 0;
            for (int i : batch) tokens += seqs.get(i).length();
            assertTrue(tokens <= 20, "a batch of " + tokens + " tokens");
            seen += batch.length;
        }
        assertEquals(50, seen);
        assertTrue(a.size() != c.size() || !java.util.Arrays.equals(a.getFirst(), c.getFirst()), "another epoch, another order");
    }
}
