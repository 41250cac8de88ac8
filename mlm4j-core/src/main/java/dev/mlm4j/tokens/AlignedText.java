package dev.mlm4j.tokens;

import java.util.Arrays;

/**
 * A sequence of code points, each remembering the UTF-16 range {@code [start, end)} of the character of the
 * original text it came from — the role of the {@code alignments} of Hugging Face's {@code NormalizedString}.
 * Normalization may drop, expand (NFD, {@code İ} → {@code i̇}) or insert code points; every output code point
 * keeps the range of the input character that produced it, so token offsets always point into the original text.
 */
final class AlignedText {

    int[] cps;    // (length) code points
    int[] start;  // (length) UTF-16 start in the original text
    int[] end;    // (length) UTF-16 end (exclusive) in the original text
    int length;

    AlignedText(int capacity) {
        int c = Math.max(capacity, 8);
        cps = new int[c];
        start = new int[c];
        end = new int[c];
    }

    /** The code points of {@code text}, each aligned to itself. */
    static AlignedText of(String text) {
        AlignedText t = new AlignedText(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int n = Character.charCount(cp);
            t.add(cp, i, i + n);
            i += n;
        }
        return t;
    }

    void add(int cp, int s, int e) {
        if (length == cps.length) {
            int c = length * 2;
            cps = Arrays.copyOf(cps, c);
            start = Arrays.copyOf(start, c);
            end = Arrays.copyOf(end, c);
        }
        cps[length] = cp;
        start[length] = s;
        end[length] = e;
        length++;
    }

    void clear() {
        length = 0;
    }

    /** The code points {@code [from, to)} as a string. */
    String substring(int from, int to) {
        return new String(cps, from, to - from);
    }

    @Override
    public String toString() {
        return substring(0, length);
    }
}
