package dev.mlm4j.eval;

import dev.mlm4j.attention.AttentionMask;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Probes for understanding tasks (the seed's Corollary 2.1) with <b>frozen</b> features: the model is never
 * trained; a linear softmax layer ({@link SoftmaxRegression}) learns to read a task off its hidden states,
 * and the held-out score says how much of the task those states carry. The same model gives the features
 * under the bidirectional and under the causal mask; baselines say what the numbers mean. The row of the attention the
 * model was trained with is marked as its own; a causal LM (config.json {@code "is_decoder": true}) gets causal features
 * only, and its control uses them.
 * <ul>
 *   <li><b>POS tagging</b>: each word's last-layer state at its first word piece → one of the 12 universal tags
 *       ({@link UniversalTags}). Baselines: the majority tag; each word's most frequent tag in the training
 *       sentences (the majority tag for unseen words) — the classic context-free tagger.</li>
 *   <li><b>Genre classification</b>: passages of up to 128 tokens ([CLS] + 126 pieces + [SEP]), a few per file
 *       taken evenly through it; features are the mean over the passage's pieces. Baselines: the majority
 *       genre; bag of word pieces (log(1 + count) of the 5,000 most widespread training pieces) with the same head.</li>
 * </ul>
 * Both also report the embedding layer (no attention at all) and a control: the model's own features
 * with the training labels shuffled, which a probe should not be able to use (Hewitt and Liang, 2019).
 * Train and test come from the by-file {@link Split}.
 */
public final class Probes {
    private Probes() {}

    /**
     * @param posTrainSentences sentences drawn from the training files for the POS probe
     * @param posTestSentences  sentences drawn from the held-out files
     * @param passagesPerFile   genre passages per file
     * @param passageTokens     tokens per passage, [CLS] and [SEP] included
     * @param classifier        the head's training options (the seed comes from {@code seed})
     * @param batchTokens       tokens per forward pass
     * @param seed              draws the sentences and shuffles training
     */
    public record Options(int posTrainSentences, int posTestSentences, int passagesPerFile, int passageTokens,
                          SoftmaxRegression.Options classifier, int batchTokens, long seed) {
        public static final Options DEFAULT = new Options(2000, 1000, 3, 128, SoftmaxRegression.Options.DEFAULT, 4096, 1);

        public Options {
            if (posTrainSentences < 1 || posTestSentences < 1) throw new IllegalArgumentException("need at least one POS sentence to train and to test on");
            if (passagesPerFile < 1) throw new IllegalArgumentException("passages per file must be at least 1");
            if (passageTokens < 8) throw new IllegalArgumentException("passages need at least 8 tokens");
            if (batchTokens < 1) throw new IllegalArgumentException("batch tokens must be at least 1");
            classifier = classifier.withSeed(seed);
        }
    }

    // ------------------------------------------------------------------ POS tagging

    /** A sentence ready for the POS probe: [CLS] pieces [SEP], each word's first piece, its tag, the word. */
    record TaggedSequence(int[] ids, int[] firstPiece, int[] labels, String[] words) {}

    static TaggedSequence align(EvalModel m, Corpus.Sentence s, int maxPieces) {
        List<Integer> pieces = new ArrayList<>(), first = new ArrayList<>(), labels = new ArrayList<>();
        List<String> words = new ArrayList<>();
        for (int i = 0; i < s.words().size(); i++) {
            int[] p = m.pieces(Corpus.plainWord(s.words().get(i)));
            if (p.length == 0) continue;                      // a word the tokenizer drops (control characters)
            first.add(1 + pieces.size());
            labels.add(UniversalTags.index(UniversalTags.of(s.tags().get(i))));
            words.add(s.words().get(i).toLowerCase(Locale.ROOT));
            for (int id : p) pieces.add(id);
        }
        if (first.isEmpty() || pieces.size() > maxPieces) return null;
        int[] ids = m.withSpecials(pieces.stream().mapToInt(Integer::intValue).toArray());
        return new TaggedSequence(ids, first.stream().mapToInt(Integer::intValue).toArray(),
                labels.stream().mapToInt(Integer::intValue).toArray(), words.toArray(String[]::new));
    }

    /** {@code count} of the documents' sentences, drawn with the seed, in corpus order. */
    static List<TaggedSequence> sample(EvalModel m, List<Corpus.Document> docs, int count, long seed, int maxPieces) {
        List<Corpus.Sentence> all = new ArrayList<>();
        for (Corpus.Document d : docs) all.addAll(d.sentences());
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) order.add(i);
        Collections.shuffle(order, new Random(seed));
        List<Integer> chosen = new ArrayList<>();
        List<TaggedSequence> out = new ArrayList<>();
        Map<Integer, TaggedSequence> aligned = new HashMap<>();
        for (int i : order) {
            if (chosen.size() == count) break;
            TaggedSequence t = align(m, all.get(i), maxPieces);
            if (t == null) continue;
            chosen.add(i);
            aligned.put(i, t);
        }
        Collections.sort(chosen);
        for (int i : chosen) out.add(aligned.get(i));
        return out;
    }

    public static ProbeReport.Task pos(Corpus corpus, EvalModel model, Options o, Meter meter) {
        requireBrown(corpus);
        Split split = Split.of(corpus);
        int maxPieces = Math.min(126, model.maxLength() - 2);
        List<TaggedSequence> train = sample(model, split.train(), o.posTrainSentences(), Masking.mix(o.seed(), 1), maxPieces);
        List<TaggedSequence> test = sample(model, split.test(), o.posTestSentences(), Masking.mix(o.seed(), 2), maxPieces);
        if (train.isEmpty() || test.isEmpty()) throw new IllegalArgumentException("no sentences to train or test the POS probe on");
        int[] yTrain = concat(train.stream().map(TaggedSequence::labels).toList());
        int[] yTest = concat(test.stream().map(TaggedSequence::labels).toList());
        int classes = UniversalTags.TAGS.size();
        Map<String, Double> seconds = new LinkedHashMap<>();
        List<ProbeReport.Row> rows = new ArrayList<>();

        // Baselines.
        int major = Scores.majority(yTrain, classes);
        Map<String, int[]> lexicon = new HashMap<>();
        for (TaggedSequence s : train) {
            for (int w = 0; w < s.words().length; w++) lexicon.computeIfAbsent(s.words()[w], k -> new int[classes])[s.labels()[w]]++;
        }
        boolean[] unseen = new boolean[yTest.length];
        int[] lexical = new int[yTest.length];
        int k = 0;
        for (TaggedSequence s : test) {
            for (String w : s.words()) {
                int[] counts = lexicon.get(w);
                unseen[k] = counts == null;
                lexical[k++] = counts == null ? major : argmax(counts);
            }
        }
        int[] lexicalTrain = new int[yTrain.length];
        k = 0;
        for (TaggedSequence s : train) for (String w : s.words()) lexicalTrain[k++] = argmax(lexicon.get(w));
        int[] majorTest = new int[yTest.length];
        Arrays.fill(majorTest, major);
        int[] majorTrain = new int[yTrain.length];
        Arrays.fill(majorTrain, major);
        rows.add(new ProbeReport.Row("majority tag (" + UniversalTags.TAGS.get(major) + ")", Scores.accuracy(majorTest, yTest),
                Scores.macroF1(majorTest, yTest, classes), subsetAccuracy(majorTest, yTest, unseen), Scores.accuracy(majorTrain, yTrain)));
        rows.add(new ProbeReport.Row("word identity: the word's most frequent training tag", Scores.accuracy(lexical, yTest),
                Scores.macroF1(lexical, yTest, classes), subsetAccuracy(lexical, yTest, unseen), Scores.accuracy(lexicalTrain, yTrain)));

        // Frozen features.
        List<FrozenFeatures.Sequence> trainSeq = train.stream().map(s -> new FrozenFeatures.Sequence(s.ids(), s.firstPiece())).toList();
        List<FrozenFeatures.Sequence> testSeq = test.stream().map(s -> new FrozenFeatures.Sequence(s.ids(), s.firstPiece())).toList();
        probeRows(model, trainSeq, testSeq, false, yTrain, yTest, unseen, classes, o, meter, "pos", seconds, rows);

        return new ProbeReport.Task("pos",
                "POS: a linear softmax layer over each word's state at its first word piece; Brown tags collapsed to the 12"
                        + " universal tags (docs: UniversalTags); sentences of at most " + maxPieces + " word pieces drawn at random."
                        + " \"Unseen words\": test words absent from the training sentences ("
                        + String.format(Locale.ROOT, "%.1f %%", 100.0 * count(unseen) / unseen.length) + " of test words)." + ownNote(model),
                UniversalTags.TAGS, train.size(), test.size(), yTrain.length, yTest.length,
                split.train().size(), split.test().size(), rows, seconds);
    }

    // ------------------------------------------------------------------ genres

    /** A passage: [CLS] pieces [SEP] and its file's genre. */
    record Passage(String document, Genre genre, int[] ids) {}

    /** Up to {@code perFile} non-overlapping windows of {@code tokens − 2} pieces, spread evenly through each file. */
    static List<Passage> passages(EvalModel m, List<Corpus.Document> docs, int perFile, int tokens) {
        int len = Math.min(tokens, m.maxLength()) - 2;
        List<Passage> out = new ArrayList<>();
        for (Corpus.Document d : docs) {
            List<Integer> all = new ArrayList<>();
            for (Corpus.Sentence s : d.sentences()) for (int id : m.pieces(s.text())) all.add(id);
            int windows = all.size() / len;
            if (windows == 0) {
                if (all.size() >= 16) out.add(new Passage(d.id(), d.genre(), m.withSpecials(toArray(all, 0, all.size()))));
                continue;
            }
            int take = Math.min(perFile, windows);
            for (int i = 0; i < take; i++) {
                int w = (int) ((long) i * windows / take);
                out.add(new Passage(d.id(), d.genre(), m.withSpecials(toArray(all, w * len, len))));
            }
        }
        return out;
    }

    public static ProbeReport.Task genre(Corpus corpus, EvalModel model, Options o, Meter meter) {
        requireBrown(corpus);
        Split split = Split.of(corpus);
        List<Passage> train = passages(model, split.train(), o.passagesPerFile(), o.passageTokens());
        List<Passage> test = passages(model, split.test(), o.passagesPerFile(), o.passageTokens());
        if (train.isEmpty() || test.isEmpty()) throw new IllegalArgumentException("no passages to train or test the genre probe on");
        List<Genre> genres = new ArrayList<>();
        for (Passage p : train) if (!genres.contains(p.genre())) genres.add(p.genre());
        genres.sort(null);
        List<Genre> testGenres = test.stream().map(Passage::genre).filter(g -> !genres.contains(g)).distinct().toList();
        if (!testGenres.isEmpty()) throw new IllegalArgumentException("held-out genre " + testGenres.getFirst().label() + " has no training file");
        if (genres.size() < 2) throw new IllegalArgumentException("the genre probe needs at least two genres in the training files");
        int classes = genres.size();
        int[] yTrain = train.stream().mapToInt(p -> genres.indexOf(p.genre())).toArray();
        int[] yTest = test.stream().mapToInt(p -> genres.indexOf(p.genre())).toArray();
        Map<String, Double> seconds = new LinkedHashMap<>();
        List<ProbeReport.Row> rows = new ArrayList<>();

        int major = Scores.majority(yTrain, classes);
        int[] majorTest = new int[yTest.length], majorTrain = new int[yTrain.length];
        Arrays.fill(majorTest, major);
        Arrays.fill(majorTrain, major);
        rows.add(new ProbeReport.Row("majority genre (" + genres.get(major).label() + ")", Scores.accuracy(majorTest, yTest),
                Scores.macroF1(majorTest, yTest, classes), Double.NaN, Scores.accuracy(majorTrain, yTrain)));

        long t0 = System.nanoTime();
        BagOfPieces bow = BagOfPieces.fit(train, 5000);
        float[][] bTrain = bow.features(train), bTest = bow.features(test);
        SoftmaxRegression head = SoftmaxRegression.train(bTrain, yTrain, classes, o.classifier(), meter, "genre head, bag of pieces");
        rows.add(row("bag of word pieces (" + bow.size() + ", log counts)", head, bTrain, yTrain, bTest, yTest, null, classes));
        seconds.put("bag of pieces", (System.nanoTime() - t0) / 1e9);

        List<FrozenFeatures.Sequence> trainSeq = train.stream().map(p -> new FrozenFeatures.Sequence(p.ids(), pieceRows(p.ids()))).toList();
        List<FrozenFeatures.Sequence> testSeq = test.stream().map(p -> new FrozenFeatures.Sequence(p.ids(), pieceRows(p.ids()))).toList();
        probeRows(model, trainSeq, testSeq, true, yTrain, yTest, null, classes, o, meter, "genre", seconds, rows);

        List<String> names = genres.stream().map(Genre::label).toList();
        return new ProbeReport.Task("genre",
                "Genres: passages of " + o.passageTokens() + " tokens ([CLS] + " + (o.passageTokens() - 2) + " word pieces + [SEP]), up to "
                        + o.passagesPerFile() + " per file spread evenly through it; features are the mean of the last layer's states"
                        + " over the passage's pieces; a linear softmax layer on top. The split is by file, so no text is on both sides." + ownNote(model),
                names, train.size(), test.size(), train.size(), test.size(),
                (int) train.stream().map(Passage::document).distinct().count(),
                (int) test.stream().map(Passage::document).distinct().count(), rows, seconds);
    }

    // ------------------------------------------------------------------ shared

    /** The frozen-feature rows: embeddings, causal, bidirectional, and the shuffled-label control. */
    private static void probeRows(EvalModel model, List<FrozenFeatures.Sequence> trainSeq, List<FrozenFeatures.Sequence> testSeq,
                                  boolean pool, int[] yTrain, int[] yTest, boolean[] unseen, int classes, Options o, Meter meter,
                                  String task, Map<String, Double> seconds, List<ProbeReport.Row> rows) {
        boolean causalLm = model.causalLm();
        long t0 = System.nanoTime();
        FrozenFeatures.Rows caTrain = FrozenFeatures.extract(model, trainSeq, AttentionMask.Direction.CAUSAL, pool, o.batchTokens(), meter, task + " features, causal, train");
        FrozenFeatures.Rows caTest = FrozenFeatures.extract(model, testSeq, AttentionMask.Direction.CAUSAL, pool, o.batchTokens(), meter, task + " features, causal, test");
        seconds.put("causal features", (System.nanoTime() - t0) / 1e9);
        FrozenFeatures.Rows ownTrain = caTrain, ownTest = caTest;
        if (!causalLm) {                       // a causal LM's forward is causal (transformers' is_decoder): no bidirectional features
            t0 = System.nanoTime();
            ownTrain = FrozenFeatures.extract(model, trainSeq, AttentionMask.Direction.BIDIRECTIONAL, pool, o.batchTokens(), meter, task + " features, bidirectional, train");
            ownTest = FrozenFeatures.extract(model, testSeq, AttentionMask.Direction.BIDIRECTIONAL, pool, o.batchTokens(), meter, task + " features, bidirectional, test");
            seconds.put("bidirectional features", (System.nanoTime() - t0) / 1e9);
        }
        check(ownTrain.last().length, yTrain.length);
        check(ownTest.last().length, yTest.length);

        t0 = System.nanoTime();
        SoftmaxRegression h = SoftmaxRegression.train(ownTrain.embeddings(), yTrain, classes, o.classifier(), meter, task + " head, embeddings");
        rows.add(row("embedding layer (no attention)", h, ownTrain.embeddings(), yTrain, ownTest.embeddings(), yTest, unseen, classes));
        h = SoftmaxRegression.train(caTrain.last(), yTrain, classes, o.classifier(), meter, task + " head, causal");
        rows.add(row("causal mask, last layer" + (causalLm ? OWN : ""), h, caTrain.last(), yTrain, caTest.last(), yTest, unseen, classes));
        if (!causalLm) {
            h = SoftmaxRegression.train(ownTrain.last(), yTrain, classes, o.classifier(), meter, task + " head, bidirectional");
            rows.add(row("bidirectional, last layer" + OWN, h, ownTrain.last(), yTrain, ownTest.last(), yTest, unseen, classes));
        }
        int[] shuffled = yTrain.clone();
        Random r = new Random(Masking.mix(o.seed(), 3));
        for (int i = shuffled.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        h = SoftmaxRegression.train(ownTrain.last(), shuffled, classes, o.classifier(), meter, task + " head, control");
        rows.add(row("control: " + ownCondition(model) + ", training labels shuffled", h, ownTrain.last(), shuffled, ownTest.last(), yTest, unseen, classes));
        seconds.put("training the heads", (System.nanoTime() - t0) / 1e9);
    }

    /** Marks the row of the attention the model was trained with. */
    static final String OWN = " — the model's own";

    /** The attention the model was trained with: causal for a causal LM, bidirectional for a masked LM. */
    static String ownCondition(EvalModel model) {
        return model.causalLm() ? "causal" : "bidirectional";
    }

    /** One sentence under the table saying which features are the model's own. */
    static String ownNote(EvalModel model) {
        return model.causalLm()
                ? " " + model.name() + " is a causal LM (config.json \"is_decoder\": true): its own features are the causal ones; it has no"
                        + " bidirectional row, since its forward is causal whatever is asked (transformers' is_decoder)."
                : " " + model.name() + " is bidirectional (" + (model.hasLanguageModelHead() ? "a masked LM" : "an encoder without a language-model head")
                        + "): its own features are the bidirectional ones; the causal row is the seed's weaker"
                        + " experiment (a mask it was never trained with).";
    }

    private static ProbeReport.Row row(String name, SoftmaxRegression head, float[][] xTrain, int[] yTrain, float[][] xTest, int[] yTest,
                                       boolean[] unseen, int classes) {
        int[] pTest = head.predict(xTest);
        return new ProbeReport.Row(name, Scores.accuracy(pTest, yTest), Scores.macroF1(pTest, yTest, classes),
                unseen == null ? Double.NaN : subsetAccuracy(pTest, yTest, unseen), Scores.accuracy(head.predict(xTrain), yTrain));
    }

    private static void requireBrown(Corpus c) {
        if (!c.isBrown()) {
            throw new IllegalArgumentException("the probes need the tagged Brown Corpus (word/tag files with genres); "
                    + c.source() + " has untagged or genre-less documents");
        }
    }

    private static void check(int rows, int labels) {
        if (rows != labels) throw new IllegalStateException(rows + " feature rows for " + labels + " labels");
    }

    private static int[] pieceRows(int[] ids) {
        int[] rows = new int[ids.length - 2];
        for (int i = 0; i < rows.length; i++) rows[i] = i + 1;
        return rows;
    }

    private static double subsetAccuracy(int[] predicted, int[] gold, boolean[] in) {
        int n = 0, right = 0;
        for (int i = 0; i < gold.length; i++) {
            if (!in[i]) continue;
            n++;
            if (predicted[i] == gold[i]) right++;
        }
        return n == 0 ? Double.NaN : (double) right / n;
    }

    private static int argmax(int[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    private static int count(boolean[] b) {
        int n = 0;
        for (boolean x : b) if (x) n++;
        return n;
    }

    private static int[] concat(List<int[]> parts) {
        int n = 0;
        for (int[] p : parts) n += p.length;
        int[] out = new int[n];
        int k = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, k, p.length);
            k += p.length;
        }
        return out;
    }

    private static int[] toArray(List<Integer> l, int from, int len) {
        int[] a = new int[len];
        for (int i = 0; i < len; i++) a[i] = l.get(from + i);
        return a;
    }

    /** Bag of word pieces: log(1 + count) of the pieces found in the most training passages. */
    static final class BagOfPieces {
        private final Map<Integer, Integer> column;

        private BagOfPieces(Map<Integer, Integer> column) {
            this.column = column;
        }

        static BagOfPieces fit(List<Passage> train, int size) {
            Map<Integer, Integer> df = new HashMap<>();
            for (Passage p : train) {
                Set<Integer> seen = new HashSet<>();
                for (int i = 1; i < p.ids().length - 1; i++) seen.add(p.ids()[i]);
                for (int id : seen) df.merge(id, 1, Integer::sum);
            }
            List<Map.Entry<Integer, Integer>> byDf = new ArrayList<>(df.entrySet());
            byDf.sort((a, b) -> a.getValue().equals(b.getValue()) ? Integer.compare(a.getKey(), b.getKey()) : Integer.compare(b.getValue(), a.getValue()));
            Map<Integer, Integer> column = new HashMap<>();
            for (int i = 0; i < Math.min(size, byDf.size()); i++) column.put(byDf.get(i).getKey(), i);
            return new BagOfPieces(column);
        }

        int size() {
            return column.size();
        }

        float[][] features(List<Passage> passages) {
            float[][] x = new float[passages.size()][column.size()];
            for (int s = 0; s < passages.size(); s++) {
                int[] ids = passages.get(s).ids();
                for (int i = 1; i < ids.length - 1; i++) {
                    Integer c = column.get(ids[i]);
                    if (c != null) x[s][c]++;
                }
                for (int c = 0; c < x[s].length; c++) x[s][c] = (float) Math.log1p(x[s][c]);
            }
            return x;
        }
    }
}
