package dev.mlm4j.tokens;

/**
 * Hugging Face's {@code BertPreTokenizer} ({@code tokenizers/src/pre_tokenizers/bert.rs}): split on whitespace
 * (removed), then isolate every punctuation character as a word of its own.
 */
final class BertPreTokenizer {

    private BertPreTokenizer() {
    }

    /** Appends the words of {@code text[from, to)} to {@code words} as (start, end) code point index pairs. */
    static void split(AlignedText text, int from, int to, IntList words) {
        int wordStart = -1;
        for (int i = from; i < to; i++) {
            int cp = text.cps[i];
            if (CharClasses.isWhitespace(cp)) {
                if (wordStart >= 0) {
                    words.add(wordStart, i);
                    wordStart = -1;
                }
            } else if (CharClasses.isPunctuation(cp)) {
                if (wordStart >= 0) {
                    words.add(wordStart, i);
                    wordStart = -1;
                }
                words.add(i, i + 1);
            } else if (wordStart < 0) {
                wordStart = i;
            }
        }
        if (wordStart >= 0) {
            words.add(wordStart, to);
        }
    }
}
