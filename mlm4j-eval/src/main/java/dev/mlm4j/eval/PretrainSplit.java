package dev.mlm4j.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The train / dev / test split for pre-training from scratch (issue 19), by document: test is {@link Split}'s held-out
 * documents (so a pre-trained model is scored on the same text as every other evaluation), dev is taken from
 * {@link Split}'s training documents — within each genre, in file order, every {@value #DEV_EVERY}th one — and train is
 * the rest. No seed: the split follows from the corpus alone.
 */
public record PretrainSplit(List<Corpus.Document> train, List<Corpus.Document> dev, List<Corpus.Document> test) {

    public static final int DEV_EVERY = 8;
    /** Words per genre passage of {@code genre-*.jsonl} (about the probe's 126 word pieces with a Brown vocabulary of 8,000). */
    public static final int PASSAGE_WORDS = 100;
    /** Passages per file, the genre probe's default ({@link Probes.Options#DEFAULT}). */
    public static final int PASSAGES_PER_FILE = 3;
    /** A file shorter than one passage gives one passage of all its words when it has at least this many (the probe's 16 pieces). */
    public static final int MIN_PASSAGE_WORDS = 16;

    public static PretrainSplit of(Corpus corpus) {
        Split base = Split.of(corpus);
        Map<Genre, Integer> seen = new EnumMap<>(Genre.class);
        int noGenre = 0;
        List<Corpus.Document> train = new ArrayList<>(), dev = new ArrayList<>();
        for (Corpus.Document d : base.train()) {
            int i = d.genre() == null ? noGenre++ : seen.merge(d.genre(), 1, Integer::sum) - 1;
            (i % DEV_EVERY == DEV_EVERY - 1 ? dev : train).add(d);
        }
        return new PretrainSplit(train, dev, base.test());
    }

    private boolean isBrown() {
        return new Corpus("split", java.util.stream.Stream.of(train, dev, test).flatMap(List::stream).toList()).isBrown();
    }

    /**
     * Writes {@code train.txt}, {@code dev.txt}, {@code test.txt} (one sentence a line as plain text, documents in
     * corpus order: what {@code ./mlm4j train mlm|clm} reads) and {@code split.json} (each part's document ids) into
     * {@code dir}; for a tagged corpus with genres (Brown) also the fine-tuning files of the same parts,
     * {@link #writeTasks}. Returns the sentence counts by part.
     */
    public Map<String, Integer> write(Path dir, String source) {
        try {
            Files.createDirectories(dir);
            Map<String, List<Corpus.Document>> parts = new LinkedHashMap<>();
            parts.put("train", train);
            parts.put("dev", dev);
            parts.put("test", test);
            Map<String, Object> ids = new LinkedHashMap<>();
            ids.put("source", source);
            ids.put("rule", "test: every " + Split.EVERY + "th file of each genre (eval's split); dev: every " + DEV_EVERY
                    + "th remaining file of each genre; train: the rest");
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (var e : parts.entrySet()) {
                int n = 0;
                try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(e.getKey() + ".txt"), StandardCharsets.UTF_8)) {
                    for (Corpus.Document d : e.getValue()) {
                        for (Corpus.Sentence s : d.sentences()) {
                            String text = s.text().strip();
                            if (text.isEmpty()) continue;
                            w.write(text);
                            w.newLine();
                            n++;
                        }
                    }
                }
                counts.put(e.getKey(), n);
                ids.put(e.getKey(), e.getValue().stream().map(Corpus.Document::id).toList());
            }
            ids.put("sentences", counts);
            if (isBrown()) ids.put("tasks", writeTasks(dir, parts));
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("split.json").toFile(), ids);
            return counts;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /**
     * The fine-tuning files of each part, for {@code ./mlm4j train tag|classify} on the same split as pre-training:
     * {@code pos-<part>.conll} (a word and its universal tag ({@link UniversalTags}, the POS probe's 12) a line, TAB
     * between, a blank line after each sentence) and {@code genre-<part>.jsonl} ({@code {"text", "label"}}, label the
     * file's genre ({@link Genre#label()})): the genre probe's passage unit as text — up to {@value #PASSAGES_PER_FILE}
     * non-overlapping windows of {@value #PASSAGE_WORDS} words per file, spread evenly through it, or the whole file
     * when it is shorter than one window (and has at least {@value #MIN_PASSAGE_WORDS} words). The probe counts word
     * pieces of the model under test, which a split made before any vocabulary cannot; 100 Brown words are about its
     * 126 pieces, and training cuts a longer passage at the model's 128 positions with a warning. Returns the counts
     * (sentences, passages) by file name.
     */
    private static Map<String, Integer> writeTasks(Path dir, Map<String, List<Corpus.Document>> parts) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (var e : parts.entrySet()) {
            String pos = "pos-" + e.getKey() + ".conll", genre = "genre-" + e.getKey() + ".jsonl";
            int sentences = 0, passages = 0;
            try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(pos), StandardCharsets.UTF_8)) {
                for (Corpus.Document d : e.getValue()) {
                    for (Corpus.Sentence s : d.sentences()) {
                        if (s.words().isEmpty()) continue;
                        for (int i = 0; i < s.words().size(); i++) {
                            w.write(Corpus.plainWord(s.words().get(i)) + "\t" + UniversalTags.of(s.tags().get(i)));
                            w.newLine();
                        }
                        w.newLine();
                        sentences++;
                    }
                }
            }
            try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(genre), StandardCharsets.UTF_8)) {
                for (Corpus.Document d : e.getValue()) {
                    for (String text : passages(d)) {
                        Map<String, String> line = new LinkedHashMap<>();
                        line.put("text", text);
                        line.put("label", d.genre().label());
                        w.write(json.writeValueAsString(line));
                        w.newLine();
                        passages++;
                    }
                }
            }
            counts.put(pos, sentences);
            counts.put(genre, passages);
        }
        return counts;
    }

    /** A document's genre passages as text ({@link #writeTasks}). */
    static List<String> passages(Corpus.Document d) {
        List<String> words = new ArrayList<>();
        for (Corpus.Sentence s : d.sentences()) for (String w : s.words()) words.add(Corpus.plainWord(w));
        int windows = words.size() / PASSAGE_WORDS;
        if (windows == 0) return words.size() >= MIN_PASSAGE_WORDS ? List.of(String.join(" ", words)) : List.of();
        int take = Math.min(PASSAGES_PER_FILE, windows);
        List<String> out = new ArrayList<>(take);
        for (int i = 0; i < take; i++) {
            int from = (int) ((long) i * windows / take) * PASSAGE_WORDS;
            out.add(String.join(" ", words.subList(from, from + PASSAGE_WORDS)));
        }
        return out;
    }
}
