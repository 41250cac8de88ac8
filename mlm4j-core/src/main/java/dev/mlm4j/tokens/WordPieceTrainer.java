package dev.mlm4j.tokens;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Trains a WordPiece vocabulary ({@code vocab.txt}) from text, by the algorithm of Hugging Face tokenizers'
 * {@code WordPieceTrainer}, which is its BPE trainer with the {@code ##} continuation prefix: the text goes through
 * BERT's normaliser (clean, CJK split, and with {@code lowercase} accents stripped and lower-cased) and pre-tokenizer
 * (white space, each punctuation character a word); each distinct word is split into its first character and
 * {@code ##}-prefixed following characters; the vocabulary starts as the special tokens, then every character seen
 * (by code point), then every {@code ##}-character seen; then the most frequent adjacent pair of pieces over all words
 * (weighted by the word's count; of equal counts the pair of smaller ids) is merged into one piece (the right piece's
 * {@code ##} dropped) and added, until the vocabulary has {@code size} entries or no pair is left.
 * <p>
 * Differences from tokenizers: tokenizers numbers the {@code ##}-characters in the order its word hash map yields
 * them, here they are sorted by code point — that order decides ties between pairs of equal count, so on a corpus with
 * many ties the two vocabularies differ in a few merges (WordPieceTrainerTest measures the overlap on a committed
 * tokenizers output); no {@code min_frequency} or {@code limit_alphabet} (every character seen is kept, so the
 * vocabulary can exceed {@code size} when the alphabet alone does).
 */
public final class WordPieceTrainer {
    private WordPieceTrainer() {}

    /** BERT's special tokens, in the order of its vocabularies' first entries. */
    public static final List<String> SPECIALS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");

    /** Counts the words of {@code lines} after BERT's normaliser and pre-tokenizer. */
    public static Map<String, Integer> countWords(Iterable<String> lines, boolean lowercase) {
        Normalizer normalizer = BertNormalizer.forLowerCase(lowercase);
        PreTokenizer pre = new PreTokenizer.Bert();
        Map<String, Integer> counts = new HashMap<>();
        List<AlignedText> words = new ArrayList<>();
        for (String line : lines) {
            AlignedText in = AlignedText.of(line);
            AlignedText norm = new AlignedText(in.length + 8);
            normalizer.normalize(in, 0, in.length, norm);
            words.clear();
            pre.split(norm, words);
            for (AlignedText w : words) {
                if (w.length > 0) counts.merge(w.toString(), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** Trains on the lines of {@code file} (UTF-8). */
    public static List<String> train(Path file, int size, boolean lowercase) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return train(countWords(r.lines()::iterator, lowercase), size);
        }
    }

    /** The vocabulary, in id order, for word counts {@code counts}. */
    public static List<String> train(Map<String, Integer> counts, int size) {
        if (size <= SPECIALS.size()) throw new IllegalArgumentException("vocabulary size " + size + " leaves no room past the " + SPECIALS.size() + " special tokens");
        List<String> wordList = new ArrayList<>(new TreeMap<>(counts).keySet());
        int n = wordList.size();
        List<List<String>> pieces = new ArrayList<>(n);
        int[] freq = new int[n];
        Set<String> alphabet = new java.util.TreeSet<>(WordPieceTrainer::byCodePoints), continued = new java.util.TreeSet<>(WordPieceTrainer::byCodePoints);
        for (int i = 0; i < n; i++) {
            String w = wordList.get(i);
            freq[i] = counts.get(w);
            List<String> p = new ArrayList<>();
            for (int k = 0; k < w.length(); ) {
                int cp = w.codePointAt(k);
                String c = new String(Character.toChars(cp));
                p.add(k == 0 ? c : "##" + c);
                alphabet.add(c);
                if (k > 0) continued.add("##" + c);
                k += Character.charCount(cp);
            }
            pieces.add(p);
        }
        LinkedHashSet<String> vocab = new LinkedHashSet<>(SPECIALS);
        vocab.addAll(alphabet);
        vocab.addAll(continued);
        Map<String, Integer> ids = new HashMap<>();
        for (String t : vocab) ids.put(t, ids.size());
        // pair counts and, for each pair, the words it occurs in
        Map<Pair, long[]> pairCount = new HashMap<>();
        Map<Pair, Set<Integer>> where = new HashMap<>();
        for (int i = 0; i < n; i++) addPairs(pieces.get(i), i, freq[i], +1, pairCount, where);
        while (vocab.size() < size) {
            Pair best = null;
            long bestCount = 0;
            for (Map.Entry<Pair, long[]> e : pairCount.entrySet()) {
                long c = e.getValue()[0];
                if (c <= 0) continue;
                if (c > bestCount || (c == bestCount && before(e.getKey(), best, ids))) {
                    best = e.getKey();
                    bestCount = c;
                }
            }
            if (best == null) break;
            String merged = best.a + (best.b.startsWith("##") ? best.b.substring(2) : best.b);
            if (vocab.add(merged)) ids.put(merged, ids.size());
            for (int i : new ArrayList<>(where.getOrDefault(best, Set.of()))) {
                List<String> p = pieces.get(i);
                addPairs(p, i, freq[i], -1, pairCount, where);
                List<String> q = new ArrayList<>(p.size());
                for (int k = 0; k < p.size(); k++) {
                    if (k + 1 < p.size() && p.get(k).equals(best.a) && p.get(k + 1).equals(best.b)) {
                        q.add(merged);
                        k++;
                    } else {
                        q.add(p.get(k));
                    }
                }
                pieces.set(i, q);
                addPairs(q, i, freq[i], +1, pairCount, where);
            }
            pairCount.remove(best);
            where.remove(best);
        }
        return List.copyOf(vocab);
    }

    private static void addPairs(List<String> p, int word, int freq, int sign, Map<Pair, long[]> count, Map<Pair, Set<Integer>> where) {
        for (int k = 0; k + 1 < p.size(); k++) {
            Pair pair = new Pair(p.get(k), p.get(k + 1));
            count.computeIfAbsent(pair, x -> new long[1])[0] += (long) sign * freq;
            if (sign > 0) where.computeIfAbsent(pair, x -> new HashSet<>()).add(word);
        }
    }

    /** tokenizers' tie rule: of two pairs with the same count, the one whose (left id, right id) is smaller. */
    private static boolean before(Pair p, Pair q, Map<String, Integer> ids) {
        int c = Integer.compare(ids.get(p.a), ids.get(q.a));
        return c != 0 ? c < 0 : ids.get(p.b) < ids.get(q.b);
    }

    private static int byCodePoints(String x, String y) {
        return java.util.Arrays.compare(x.codePoints().toArray(), y.codePoints().toArray());
    }

    private record Pair(String a, String b) {}
}
