package dev.mlm4j.pipelines;

import dev.mlm4j.config.Precision;
import dev.mlm4j.model.BertModel;
import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.tokens.Tokenizer;
import dev.mlm4j.model.Checkpoint;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Shared by the benchmarks: the Brown sentences, token-id batches cut from them, and models loaded at a precision. */
final class BenchInputs {
    private BenchInputs() {}

    static final Path BROWN = Path.of(System.getProperty("mlm4j.bench.brown", "mlm4j-core/src/test/resources/tokens/brown-10k.txt.gz"));

    static List<String> brown() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(BROWN)), StandardCharsets.UTF_8))) {
            return r.lines().filter(s -> !s.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Brown sentences at " + BROWN + " (run from the repository root)", e);
        }
    }

    /** {@code batch} sequences of exactly {@code length} tokens ([CLS] … [SEP]), each cut from Brown text starting at another sentence. */
    static List<Encoding> fixed(Tokenizer t, List<String> brown, int batch, int length, int firstSentence) {
        List<Encoding> out = new ArrayList<>();
        for (int s = 0; s < batch; s++) {
            Encoding e = t.encode(runningText(brown, firstSentence + s * 7, length * 12), length, true);
            if (e.length() != length) throw new IllegalStateException("expected " + length + " tokens, got " + e.length());
            out.add(e);
        }
        return out;
    }

    /** Brown's sentences from {@code first} on, joined by spaces, until the text has at least {@code chars} characters. */
    private static String runningText(List<String> brown, int first, int chars) {
        StringBuilder text = new StringBuilder();
        for (int i = first; text.length() < chars; i++) text.append(brown.get(i % brown.size())).append(' ');
        return text.toString();
    }

    /**
     * The text each of {@code seqs} was cut from, up to the end of its last token but [SEP]: what a user would hand the
     * pipeline to get those tokens ({@link #fixed} cut the running text at a token boundary).
     */
    static List<String> texts(List<Encoding> seqs, List<String> brown, int firstSentence) {
        List<String> out = new ArrayList<>();
        for (int s = 0; s < seqs.size(); s++) {
            Encoding e = seqs.get(s);
            int last = e.length() - 1;
            while (last >= 0 && e.special()[last]) last--;
            out.add(runningText(brown, firstSentence + s * 7, e.length() * 12).substring(0, e.end()[last]));
        }
        return out;
    }

    /** Sentences [first, first + count) of Brown, each [CLS] sentence [SEP], at their natural lengths. */
    static List<Encoding> sentences(Tokenizer t, List<String> brown, int first, int count) {
        List<Encoding> out = new ArrayList<>();
        for (int i = first; i < first + count; i++) out.add(t.encode(brown.get(i), 512, true));
        return out;
    }

    /** The bare encoder (no pooling, no head) of a model folder, linear layers at {@code p}; the tokenizer beside it. */
    record Loaded(BertModel model, Tokenizer tokenizer, Checkpoint checkpoint) {}

    static Loaded load(Path folder, Precision p) {
        try (Checkpoint c = Checkpoint.open(folder)) {
            return new Loaded((BertModel) c.load(dev.mlm4j.model.Task.ENCODER, p).orElseThrow(), c.tokenizer(), c);
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
