package dev.mlm4j.tokens;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Hugging Face's Unigram model ({@code tokenizers/src/models/unigram/model.rs}, SentencePiece's): the
 * segmentation of highest total log-probability by Viterbi over all vocabulary pieces; a character no piece
 * covers costs the lowest score minus 10 and becomes the unknown token, consecutive unknowns fused into one.
 * Ties keep the first path found (the piece that starts earliest). With {@code byte_fallback}, an unknown
 * stretch is spelled as its UTF-8 bytes {@code <0xNN>} when all of them are in the vocabulary.
 */
final class Unigram extends TableModel {

    private static final double UNK_PENALTY = 10.0;

    private final double[] scores;
    private final boolean byteFallback;
    private final double unkScore;
    private final int maxPieceLength;  // in code points

    Unigram(String[] pieces, double[] scores, int unkId, boolean byteFallback) {
        super(ids(pieces), pieces, unkId);
        this.scores = scores;
        this.byteFallback = byteFallback;
        double min = Double.POSITIVE_INFINITY;
        int longest = 1;
        for (int i = 0; i < pieces.length; i++) {
            min = Math.min(min, scores[i]);
            longest = Math.max(longest, pieces[i].codePointCount(0, pieces[i].length()));
        }
        this.unkScore = min - UNK_PENALTY;
        this.maxPieceLength = longest;
        if (unkId >= pieces.length) {
            throw new IllegalArgumentException("Unigram unk_id " + unkId + " is outside the vocabulary of "
                    + pieces.length);
        }
    }

    /** piece → id; a repeated piece keeps its last id. */
    private static Map<String, Integer> ids(String[] pieces) {
        Map<String, Integer> vocab = new HashMap<>(pieces.length * 2);
        for (int i = 0; i < pieces.length; i++) {
            vocab.put(pieces[i], i);
        }
        return vocab;
    }

    @Override
    public void tokenize(AlignedText word, TokenList out) {
        int n = word.length;
        if (n == 0) {
            return;
        }
        String text = word.toString();
        int[] at = new int[n + 1];  // code point index → UTF-16 index in text
        for (int i = 0, k = 0; i < n; i++) {
            at[i] = k;
            k += Character.charCount(word.cps[i]);
        }
        at[n] = text.length();
        double[] best = new double[n + 1];
        int[] startOf = new int[n + 1];  // −1: no path reaches here yet
        int[] idOf = new int[n + 1];
        java.util.Arrays.fill(startOf, -1);
        for (int s = 0; s < n; s++) {
            if (s > 0 && startOf[s] < 0) {
                continue;  // unreachable (cannot happen: every character has at least the unknown path)
            }
            double here = best[s];
            boolean single = false;
            for (int e = s + 1; e <= Math.min(n, s + maxPieceLength); e++) {
                Integer id = vocab.get(text.substring(at[s], at[e]));
                if (id == null) {
                    continue;
                }
                double score = here + scores[id];
                if (startOf[e] < 0 || score > best[e]) {
                    best[e] = score;
                    startOf[e] = s;
                    idOf[e] = id;
                }
                if (e == s + 1) {
                    single = true;
                }
            }
            if (!single) {
                if (unkId < 0) {
                    throw new IllegalArgumentException("the Unigram model has no unk_id and no piece for '"
                            + text.substring(at[s], at[s + 1]) + "'");
                }
                double score = here + unkScore;
                if (startOf[s + 1] < 0 || score > best[s + 1]) {
                    best[s + 1] = score;
                    startOf[s + 1] = s;
                    idOf[s + 1] = unkId;
                }
            }
        }
        // back from the end; consecutive unknowns fused
        IntList segs = new IntList();  // (start, end), last segment first
        boolean lastUnk = false;
        for (int e = n; e > 0; ) {
            int s = startOf[e];
            boolean unk = idOf[e] == unkId;
            if (unk && lastUnk) {
                segs.a[segs.size - 2] = s;
            } else {
                segs.add(s, e);
            }
            lastUnk = unk;
            e = s;
        }
        for (int k = segs.size - 2; k >= 0; k -= 2) {
            emit(word, text, at, segs.get(k), segs.get(k + 1), out);
        }
    }

    private void emit(AlignedText word, String text, int[] at, int s, int e, TokenList out) {
        String piece = text.substring(at[s], at[e]);
        Integer id = vocab.get(piece);
        if (id != null) {
            Model.add(out, id, piece, word, s, e);
            return;
        }
        if (byteFallback) {
            byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
            int[] ids = new int[bytes.length];
            boolean all = true;
            for (int k = 0; k < bytes.length && all; k++) {
                Integer b = vocab.get(String.format("<0x%02X>", bytes[k] & 0xFF));
                all = b != null;
                ids[k] = all ? b : -1;
            }
            if (all) {
                for (int b : ids) {
                    Model.add(out, b, idToToken[b], word, s, e);
                }
                return;
            }
        }
        Model.add(out, unkId, piece, word, s, e);
    }
}
