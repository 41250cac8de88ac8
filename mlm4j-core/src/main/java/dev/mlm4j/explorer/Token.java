package dev.mlm4j.explorer;

import dev.mlm4j.tokens.Encoding;

import java.util.ArrayList;
import java.util.List;

/**
 * One node of a token graph: a token of the encoded text.
 *
 * @param index   position in the encoding (row and column of every attention matrix)
 * @param text    the vocabulary string ("##" kept on word pieces)
 * @param start   where the token starts in its segment's text (the text, or the pair for segment 1), in code points as
 *                Python's string indices ({@code text[start:end]}): the unit of every export (JSON, GraphML, DOT, the
 *                server's {@code /attention}) read outside Java; −1 for added special tokens
 * @param end     exclusive end, in code points; −1 for added special tokens
 * @param special true for the [CLS]/[SEP] the tokenizer added (a [MASK] the user wrote is not special)
 * @param segment 0 for the first text, 1 for the second of a pair, −1 for added special tokens
 */
public record Token(int index, String text, int start, int end, boolean special, int segment) {

    /**
     * The tokens of an encoding of {@code text} (and {@code pair}, null for one text), in order, their offsets turned from
     * the encoding's UTF-16 indices into code points (they differ after a character outside the BMP, an emoji say).
     */
    public static List<Token> of(Encoding e, String text, String pair) {
        List<Token> out = new ArrayList<>(e.length());
        for (int i = 0; i < e.length(); i++) {
            int segment = e.sequenceIds() == null ? 0 : e.sequenceIds()[i];
            String source = segment == 1 ? pair : text;
            int start = e.start()[i], end = e.end()[i];
            if (start >= 0) {
                if (source == null || start > end || end > source.length()) {
                    throw new IllegalArgumentException("token " + i + "'s offsets " + start + ".." + end + " lie outside the "
                            + (segment == 1 ? "pair" : "text") + " it was encoded from");
                }
                end = source.codePointCount(0, end);
                start = source.codePointCount(0, start);
            }
            out.add(new Token(i, e.tokens()[i], start, end, e.special()[i], segment));
        }
        return List.copyOf(out);
    }
}
