package dev.mlm4j.tokens;

import java.util.Map;

/**
 * A {@link Model} over a vocabulary table of its own (BPE's, Unigram's): id → string, string → id and the unknown
 * token's id, the three lookups the tokenizer asks every model for. (WordPiece keeps its table in {@link VocabTable}.)
 */
abstract class TableModel implements Model {
    final Map<String, Integer> vocab;
    final String[] idToToken;   // (id)
    final int unkId;            // −1: no unknown token

    TableModel(Map<String, Integer> vocab, String[] idToToken, int unkId) {
        this.vocab = vocab;
        this.idToToken = idToToken;
        this.unkId = unkId;
    }

    @Override
    public final String[] idToToken() {
        return idToToken;
    }

    @Override
    public final int id(String token) {
        return vocab.getOrDefault(token, -1);
    }

    @Override
    public final int unkId() {
        return unkId;
    }
}
