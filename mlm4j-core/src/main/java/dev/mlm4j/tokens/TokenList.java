package dev.mlm4j.tokens;

import java.util.Arrays;

/** The tokens of one text before post-processing: ids, strings and original-text UTF-16 offsets. */
final class TokenList {

    int[] ids = new int[32];
    String[] tokens = new String[32];
    int[] start = new int[32];
    int[] end = new int[32];
    int size;

    void add(int id, String token, int s, int e) {
        if (size == ids.length) {
            int c = size * 2;
            ids = Arrays.copyOf(ids, c);
            tokens = Arrays.copyOf(tokens, c);
            start = Arrays.copyOf(start, c);
            end = Arrays.copyOf(end, c);
        }
        ids[size] = id;
        tokens[size] = token;
        start[size] = s;
        end[size] = e;
        size++;
    }

    /** Keeps the first {@code n} tokens (Hugging Face truncates on the right by default). */
    void truncate(int n) {
        size = Math.min(size, n);
    }
}
