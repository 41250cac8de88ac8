package dev.mlm4j.tokens;

import java.util.Arrays;

/**
 * The tokens of one text before post-processing: ids, strings, original-text UTF-16 offsets, and the word each came
 * from (Hugging Face's {@code word_ids}: the index of the pre-tokenizer's split, an added token being a split of its own).
 */
final class TokenList {

    int[] ids = new int[32];
    String[] tokens = new String[32];
    int[] start = new int[32];
    int[] end = new int[32];
    int[] word = new int[32];
    int size;
    /** The word tokens added now belong to; {@link #nextWord} before each split. */
    private int words = -1;

    /** The tokens added from now on are of a new word. */
    void nextWord() {
        words++;
    }

    void add(int id, String token, int s, int e) {
        if (size == ids.length) {
            int c = size * 2;
            ids = Arrays.copyOf(ids, c);
            tokens = Arrays.copyOf(tokens, c);
            start = Arrays.copyOf(start, c);
            end = Arrays.copyOf(end, c);
            word = Arrays.copyOf(word, c);
        }
        ids[size] = id;
        tokens[size] = token;
        start[size] = s;
        end[size] = e;
        word[size] = Math.max(words, 0);
        size++;
    }

    /** Keeps the first {@code n} tokens (Hugging Face truncates on the right by default). */
    void truncate(int n) {
        size = Math.min(size, n);
    }
}
