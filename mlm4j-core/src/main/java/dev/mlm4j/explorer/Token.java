package dev.mlm4j.explorer;

import dev.mlm4j.tokens.Encoding;

import java.util.ArrayList;
import java.util.List;

/**
 * One node of a token graph: a token of the encoded text.
 *
 * @param index   position in the encoding (row and column of every attention matrix)
 * @param text    the vocabulary string ("##" kept on word pieces)
 * @param start   UTF-16 offset in the original text where the token starts; −1 for added special tokens
 * @param end     exclusive end offset; −1 for added special tokens
 * @param special true for the [CLS]/[SEP] the tokenizer added (a [MASK] the user wrote is not special)
 * @param segment 0 for the first text, 1 for the second of a pair, −1 for added special tokens
 */
public record Token(int index, String text, int start, int end, boolean special, int segment) {

    /** The tokens of an encoding, in order. */
    public static List<Token> of(Encoding e) {
        List<Token> out = new ArrayList<>(e.length());
        for (int i = 0; i < e.length(); i++) {
            out.add(new Token(i, e.tokens()[i], e.start()[i], e.end()[i], e.special()[i],
                    e.sequenceIds() == null ? 0 : e.sequenceIds()[i]));
        }
        return List.copyOf(out);
    }
}
