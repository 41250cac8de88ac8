package dev.mlm4j.model;

import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.tokens.Tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in tokenizer for the family fixtures whose tokenizer.json another part reads: the "text" is the token ids
 * themselves, space-separated (special tokens included), so the pipelines on top of a model (the attention explorer)
 * run on exactly the golden inputs. Offsets are the ids' places in the text.
 */
final class IdsTokenizer implements Tokenizer {
    private final int vocabSize, cls, sep, pad, mask;

    IdsTokenizer(int vocabSize, int cls, int sep, int pad, int mask) {
        this.vocabSize = vocabSize;
        this.cls = cls;
        this.sep = sep;
        this.pad = pad;
        this.mask = mask;
    }

    /** The golden ids as this tokenizer's text. */
    static String text(int[] ids) {
        StringBuilder b = new StringBuilder();
        for (int id : ids) b.append(b.isEmpty() ? "" : " ").append(id);
        return b.toString();
    }

    @Override
    public Encoding encode(String text, int maxLength, boolean truncate) {
        List<int[]> spans = new ArrayList<>();
        for (int i = 0; i < text.length(); ) {
            if (text.charAt(i) == ' ') {
                i++;
                continue;
            }
            int j = i;
            while (j < text.length() && text.charAt(j) != ' ') j++;
            spans.add(new int[] {Integer.parseInt(text.substring(i, j)), i, j});
            i = j;
        }
        if (spans.size() > maxLength && !truncate) throw new IllegalArgumentException("the text has " + spans.size() + " tokens");
        int n = Math.min(spans.size(), maxLength);
        int[] ids = new int[n], types = new int[n], start = new int[n], end = new int[n], seq = new int[n];
        String[] tokens = new String[n];
        boolean[] special = new boolean[n];
        for (int i = 0; i < n; i++) {
            ids[i] = spans.get(i)[0];
            start[i] = spans.get(i)[1];
            end[i] = spans.get(i)[2];
            tokens[i] = token(ids[i]);
        }
        return new Encoding(ids, types, tokens, start, end, special, seq, n < spans.size());
    }

    @Override
    public Encoding encodePair(String a, String b, int maxLength, boolean truncate) {
        throw new UnsupportedOperationException("pairs");
    }

    @Override
    public String decode(int[] ids, boolean skipSpecial) {
        return text(ids);
    }

    @Override
    public String token(int id) {
        return "t" + id;
    }

    @Override
    public int id(String token) {
        return token.startsWith("t") ? Integer.parseInt(token.substring(1)) : -1;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int clsId() {
        return cls;
    }

    @Override
    public int sepId() {
        return sep;
    }

    @Override
    public int padId() {
        return pad;
    }

    @Override
    public int maskId() {
        return mask;
    }

    @Override
    public int unkId() {
        return 0;
    }

    @Override
    public boolean lowerCase() {
        return false;
    }
}
