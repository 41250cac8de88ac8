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
    int shift;    // original offset where this text (or split) starts: Hugging Face's original_shift

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

    /**
     * Hugging Face's {@code NormalizedString::transform_range} over {@code in[from, to)}: {@code edits} holds
     * (code point, change) pairs of the new text, change 0 replacing the next old character, 1 inserting a new one
     * (aligned like the character before it), −n replacing the next one and removing the n after it;
     * {@code initialOffset} old characters are dropped first. Appends the result to {@code out}.
     */
    static void transform(AlignedText in, int from, int to, IntList edits, int initialOffset, AlignedText out) {
        int offset = from + initialOffset;
        for (int k = 0; k < edits.size; k += 2) {
            int cp = edits.get(k);
            int change = edits.get(k + 1);
            int i;
            if (change > 0) {
                i = offset - 1;
            } else {
                i = offset;
                offset += 1 - Math.min(change, 0);
            }
            if (i < 0 || in.length == 0) {
                int at = in.length == 0 ? 0 : in.start[0];
                out.add(cp, at, at);
            } else {
                i = Math.min(i, Math.max(to, from + 1) - 1);
                out.add(cp, in.start[i], in.end[i]);
            }
        }
    }

    /**
     * Appends to {@code edits} the changes replacing {@code oldCount} characters by {@code replacement}, as the
     * Precompiled normalizer's {@code replace} does: new characters replace old ones in order, surplus ones are
     * insertions, and a shortfall is removed after the last new character (or after the previous edit).
     */
    static void replaceEdits(IntList edits, int oldCount, int[] replacement) {
        for (int cp : replacement) {
            edits.add(cp, 0);
        }
        int diff = replacement.length - oldCount;
        if (diff > 0) {
            for (int k = edits.size - 1, n = 0; n < diff; k -= 2, n++) {
                edits.a[k] = 1;
            }
        } else if (diff < 0 && edits.size > 0) {
            edits.a[edits.size - 1] += diff;
        }
    }

    /** A new text holding {@code [from, to)} of this one (a split of the pre-tokenizer). */
    AlignedText slice(int from, int to) {
        AlignedText t = new AlignedText(to - from);
        System.arraycopy(cps, from, t.cps, 0, to - from);
        System.arraycopy(start, from, t.start, 0, to - from);
        System.arraycopy(end, from, t.end, 0, to - from);
        t.length = to - from;
        t.shift = from < length ? start[from] : shift;
        return t;
    }

    /** Copies {@code in[from, to)} unchanged. */
    void addAll(AlignedText in, int from, int to) {
        for (int i = from; i < to; i++) {
            add(in.cps[i], in.start[i], in.end[i]);
        }
    }

    /**
     * Regex matches over {@code text[from, to)} as (start, end) code point index pairs (empty matches skipped):
     * Java's regex works on UTF-16, the text on code points.
     */
    static void matches(AlignedText text, int from, int to, java.util.regex.Pattern pattern, IntList out) {
        String s = text.substring(from, to);
        int[] cpAt = new int[s.length() + 1];  // UTF-16 index → code point index
        for (int i = 0, k = 0; i <= s.length(); k++) {
            cpAt[i] = k;
            if (i == s.length()) {
                break;
            }
            int n = Character.charCount(s.codePointAt(i));
            if (n == 2) {
                cpAt[i + 1] = k;
            }
            i += n;
        }
        java.util.regex.Matcher m = pattern.matcher(s);
        while (m.find()) {
            if (m.end() > m.start()) {
                out.add(from + cpAt[m.start()], from + cpAt[m.end()]);
            }
        }
    }
}
