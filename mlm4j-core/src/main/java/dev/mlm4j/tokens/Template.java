package dev.mlm4j.tokens;

import java.util.List;

/**
 * Hugging Face's {@code TemplateProcessing} post-processor ({@code tokenizers/src/processors/template.rs}):
 * where the special tokens go around one text or a pair, and the type id of every part.
 * {@code BertProcessing} is the fixed template {@code [CLS] $A [SEP]} / {@code [CLS] $A [SEP] $B:1 [SEP]:1}.
 */
record Template(List<Piece> single, List<Piece> pair) {

    /** One element of a template. */
    sealed interface Piece permits Special, Sequence {
    }

    /** Special token(s) inserted by the template ({@code SpecialToken}). */
    record Special(int[] ids, String[] tokens, int typeId) implements Piece {
    }

    /** The tokens of input {@code which} (0 = A, 1 = B) ({@code Sequence}). */
    record Sequence(int which, int typeId) implements Piece {
    }

    /** {@code [CLS] $A [SEP]} and {@code [CLS] $A [SEP] $B:1 [SEP]:1}. */
    static Template bert(int clsId, String cls, int sepId, String sep) {
        Special c = new Special(new int[] {clsId}, new String[] {cls}, 0);
        Special s0 = new Special(new int[] {sepId}, new String[] {sep}, 0);
        Special s1 = new Special(new int[] {sepId}, new String[] {sep}, 1);
        return new Template(List.of(c, new Sequence(0, 0), s0),
                List.of(c, new Sequence(0, 0), s0, new Sequence(1, 1), s1));
    }

    /** No post-processor: the text(s) alone, type ids 0 and 1. */
    static Template none() {
        return new Template(List.of(new Sequence(0, 0)), List.of(new Sequence(0, 0), new Sequence(1, 1)));
    }

    /** How many tokens the template adds to one text ({@code pair=false}) or a pair. */
    int addedTokens(boolean pair) {
        int n = 0;
        for (Piece p : pair ? this.pair : single) {
            if (p instanceof Special s) {
                n += s.ids.length;
            }
        }
        return n;
    }

    /** The first id of the first special piece, or −1 (the [CLS] of a BERT template). */
    int firstSpecialId() {
        for (Piece p : single) {
            if (p instanceof Special s && s.ids.length > 0) {
                return s.ids[0];
            }
        }
        return -1;
    }

    /** The first id of the last special piece, or −1 (the [SEP] of a BERT template). */
    int lastSpecialId() {
        int id = -1;
        for (Piece p : single) {
            if (p instanceof Special s && s.ids.length > 0) {
                id = s.ids[0];
            }
        }
        return id;
    }

    /** Lays out {@code a} (and {@code b} if not null) with the template's special tokens and type ids. */
    Encoding apply(TokenList a, TokenList b, boolean truncated) {
        List<Piece> pieces = b == null ? single : pair;
        int n = 0;
        for (Piece p : pieces) {
            n += p instanceof Special s ? s.ids.length : ((Sequence) p).which == 0 ? a.size : b.size;
        }
        int[] ids = new int[n];
        int[] typeIds = new int[n];
        String[] tokens = new String[n];
        int[] start = new int[n];
        int[] end = new int[n];
        boolean[] special = new boolean[n];
        int[] sequenceIds = new int[n];
        int k = 0;
        for (Piece p : pieces) {
            if (p instanceof Special s) {
                for (int j = 0; j < s.ids.length; j++, k++) {
                    ids[k] = s.ids[j];
                    tokens[k] = s.tokens[j];
                    typeIds[k] = s.typeId;
                    start[k] = -1;
                    end[k] = -1;
                    special[k] = true;
                    sequenceIds[k] = -1;
                }
            } else {
                Sequence q = (Sequence) p;
                TokenList t = q.which == 0 ? a : b;
                System.arraycopy(t.ids, 0, ids, k, t.size);
                System.arraycopy(t.tokens, 0, tokens, k, t.size);
                System.arraycopy(t.start, 0, start, k, t.size);
                System.arraycopy(t.end, 0, end, k, t.size);
                for (int j = 0; j < t.size; j++, k++) {
                    typeIds[k] = q.typeId;
                    sequenceIds[k] = q.which;
                }
            }
        }
        return new Encoding(ids, typeIds, tokens, start, end, special, sequenceIds, truncated);
    }

    /**
     * Truncation and layout shared by every tokenizer: {@code a} (and {@code b}) cut to fit {@code maxLength} with
     * the special tokens (Hugging Face's LongestFirst from the right), or a {@link TooLongException} when
     * {@code truncate} is off.
     */
    Encoding encode(TokenList a, TokenList b, int maxLength, boolean truncate) {
        int specials = addedTokens(b != null);
        if (maxLength < specials) {
            throw new IllegalArgumentException("maxLength " + maxLength + " cannot even hold the " + specials
                    + " special tokens the template adds");
        }
        int max = maxLength - specials;
        int total = a.size + (b == null ? 0 : b.size);
        if (total <= max) {
            return apply(a, b, false);
        }
        if (!truncate) {
            throw new TooLongException("input is " + (total + specials) + " tokens long (special tokens included), "
                    + "more than the maximum of " + maxLength, maxLength);
        }
        if (b == null) {
            a.truncate(max);
            return apply(a, null, true);
        }
        // Hugging Face's LongestFirst (tokenizers/src/utils/truncation.rs): keep the shorter text whole if
        // the longer one can absorb the cut, else give each half of the room (the odd token to the longer).
        int n1 = a.size;
        int n2 = b.size;
        boolean swap = n1 > n2;
        if (swap) {
            int t = n1;
            n1 = n2;
            n2 = t;
        }
        n2 = n1 > max ? n1 : Math.max(n1, max - n1);
        if (n1 + n2 > max) {
            n1 = max / 2;
            n2 = n1 + max % 2;
        }
        if (swap) {
            int t = n1;
            n1 = n2;
            n2 = t;
        }
        a.truncate(n1);
        b.truncate(n2);
        return apply(a, b, true);
    }
}
