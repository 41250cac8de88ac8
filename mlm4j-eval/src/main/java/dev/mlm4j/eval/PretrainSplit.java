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

    /**
     * Writes {@code train.txt}, {@code dev.txt}, {@code test.txt} (one sentence a line as plain text, documents in
     * corpus order: what {@code ./mlm4j train mlm|clm} reads) and {@code split.json} (each part's document ids) into
     * {@code dir}. Returns the sentence counts by part.
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
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("split.json").toFile(), ids);
            return counts;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
