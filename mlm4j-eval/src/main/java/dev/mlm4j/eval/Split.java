package dev.mlm4j.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The train / test split every evaluation uses: <b>by file</b>, so no text is on both sides, and stratified
 * by genre: within each genre, files in name order, every fifth one (the 5th, 10th, …) is held out — or the
 * last one, for a genre with 2 to 4 files (small slices). On the whole Brown Corpus that is 93 of its 500
 * files, every genre represented. A corpus without genres is split the same way over its documents in order.
 * No seed: the split is the same for every run and every seed.
 *
 * @param train the documents the probes train on
 * @param test  the held-out documents (the masked-LM evaluation and the probes' scores use only these)
 */
public record Split(List<Corpus.Document> train, List<Corpus.Document> test) {

    public static final int EVERY = 5;

    public static Split of(Corpus corpus) {
        Map<Genre, List<Corpus.Document>> byGenre = new EnumMap<>(Genre.class);
        List<Corpus.Document> noGenre = new ArrayList<>();
        for (Corpus.Document d : corpus.documents()) {
            if (d.genre() == null) noGenre.add(d);
            else byGenre.computeIfAbsent(d.genre(), g -> new ArrayList<>()).add(d);
        }
        List<Corpus.Document> train = new ArrayList<>(), test = new ArrayList<>();
        List<List<Corpus.Document>> groups = new ArrayList<>(byGenre.values());
        groups.add(noGenre);
        for (List<Corpus.Document> group : groups) {
            int n = group.size();
            for (int i = 0; i < n; i++) {
                boolean held = n < EVERY ? n > 1 && i == n - 1 : i % EVERY == EVERY - 1;
                (held ? test : train).add(group.get(i));
            }
        }
        Comparator<Corpus.Document> order = Comparator.comparingInt(corpus.documents()::indexOf);
        train.sort(order);
        test.sort(order);
        return new Split(train, test);
    }
}
