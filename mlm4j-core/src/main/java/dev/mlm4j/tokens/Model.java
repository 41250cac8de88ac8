package dev.mlm4j.tokens;

/** A tokenizer.json model: one pre-tokenized word → vocabulary pieces with their original-text offsets. */
interface Model {

    /** Appends the pieces of the word {@code word} (all of it) to {@code out}. */
    void tokenize(AlignedText word, TokenList out);

    /** The model's own vocabulary, id → string (null where an id is only an added token). */
    String[] idToToken();

    /** The id of a vocabulary string, or −1. */
    int id(String token);

    /** The unknown token's id, or −1 when the model has none. */
    int unkId();

    /** Appends the token for {@code word[from, to)} (code point indices) with its original offsets. */
    static void add(TokenList out, int id, String token, AlignedText word, int from, int to) {
        out.add(id, token, word.start[from], word.end[to - 1]);
    }
}
