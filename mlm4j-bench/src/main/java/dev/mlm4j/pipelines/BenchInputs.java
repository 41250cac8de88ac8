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
        return cuts(t, brown, batch, length, firstSentence).stream().map(Cut::encoding).toList();
    }

    /**
     * One of {@link #fixed}'s sequences and the text it was cut from, up to the end of its last token but [SEP]: what a
     * user would hand the pipeline to get those tokens (the running text is cut at a token boundary).
     */
    record Cut(Encoding encoding, String text) {}

    /** {@link #fixed}'s sequences with their texts. */
    static List<Cut> cuts(Tokenizer t, List<String> brown, int batch, int length, int firstSentence) {
        List<Cut> out = new ArrayList<>();
        for (int s = 0; s < batch; s++) {
            StringBuilder text = new StringBuilder();
            for (int i = firstSentence + s * 7; text.length() < length * 12; i++) text.append(brown.get(i % brown.size())).append(' ');
            Encoding e = t.encode(text.toString(), length, true);
            if (e.length() != length) throw new IllegalStateException("expected " + length + " tokens, got " + e.length());
            int last = e.length() - 1;
            while (last >= 0 && e.special()[last]) last--;
            out.add(new Cut(e, text.substring(0, e.end()[last])));
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
