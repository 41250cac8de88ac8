package dev.mlm4j.tokens;

/**
 * Hugging Face's WordPiece model ({@code tokenizers/src/models/wordpiece/mod.rs}, after Google's
 * {@code WordpieceTokenizer}): greedy longest-match-first over the code points of one word, pieces after the
 * first carry the continuing-subword prefix ("##"); a word with any unmatched rest, or longer than
 * {@code maxInputCharsPerWord} code points, becomes a single unknown token covering the whole word.
 */
final class WordPiece {

    final VocabTable vocab;
    final String[] idToToken;     // (vocab id) the model's own strings
    final String unkToken;
    final int unkId;
    final String prefix;          // continuing_subword_prefix
    final int maxInputCharsPerWord;

    WordPiece(VocabTable vocab, String[] idToToken, String unkToken, String prefix, int maxInputCharsPerWord) {
        this.vocab = vocab;
        this.idToToken = idToToken;
        this.unkToken = unkToken;
        this.unkId = vocab.get(unkToken);
        this.prefix = prefix;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
        if (unkId < 0) {
            throw new IllegalArgumentException("the WordPiece vocabulary has no unknown token '" + unkToken + "'");
        }
    }

    /** Per-thread scratch for one word: its UTF-16 chars and the char index of each code point boundary. */
    static final class Scratch {
        char[] chars = new char[64];
        int[] bounds = new int[65];
    }

    /** Appends the pieces of the word {@code text[from, to)} (code point indices) to {@code out}. */
    void tokenize(AlignedText text, int from, int to, Scratch scratch, TokenList out) {
        int n = to - from;  // code points
        if (n > maxInputCharsPerWord) {
            out.add(unkId, unkToken, text.start[from], text.end[to - 1]);
            return;
        }
        if (scratch.chars.length < 2 * n) {
            scratch.chars = new char[4 * n];
            scratch.bounds = new int[2 * n + 1];
        }
        char[] chars = scratch.chars;
        int[] bounds = scratch.bounds;
        int len = 0;
        for (int k = 0; k < n; k++) {
            bounds[k] = len;
            len += Character.toChars(text.cps[from + k], chars, len);
        }
        bounds[n] = len;

        int first = out.size;
        int maxKey = vocab.maxKeyLength();
        int s = 0;
        while (s < n) {
            String pre = s > 0 ? prefix : "";
            int e = n;
            while (e > s && pre.length() + bounds[e] - bounds[s] > maxKey) {
                e--;  // no vocabulary entry is that long: skip the lookups Hugging Face would make in vain
            }
            int id = -1;
            for (; e > s; e--) {
                id = vocab.get(pre, chars, bounds[s], bounds[e]);
                if (id >= 0) {
                    break;
                }
            }
            if (id < 0) {
                out.size = first;
                out.add(unkId, unkToken, text.start[from], text.end[to - 1]);
                return;
            }
            out.add(id, idToToken[id], text.start[from + s], text.end[from + e - 1]);
            s = e;
        }
    }
}
