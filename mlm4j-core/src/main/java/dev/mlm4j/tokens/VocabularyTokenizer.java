package dev.mlm4j.tokens;

import dev.mlm4j.tokens.AddedVocabulary.AddedToken;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * What {@link WordPieceTokenizer} and {@link PipelineTokenizer} share: the id ↔ string table (the model's own tokens,
 * the added tokens' content over them), which ids {@code decode} skips as special, and the special tokens' ids. Each
 * tokenizer decides those (BERT's fixed names, or the template's and the tokenizer.json's) before it is built.
 */
abstract sealed class VocabularyTokenizer implements Tokenizer permits PipelineTokenizer, WordPieceTokenizer {

    /** The table: {@code idToToken} (id) the model's strings with the added tokens' over them; the model's own lookup (−1 when absent). */
    record Vocabulary(String[] idToToken, Map<String, Integer> addedIds, ToIntFunction<String> modelIds) {

        static Vocabulary of(String[] model, List<AddedToken> addedTokens, ToIntFunction<String> modelIds) {
            int size = model.length;
            for (AddedToken t : addedTokens) {
                size = Math.max(size, t.id() + 1);
            }
            String[] idToToken = Arrays.copyOf(model, size);
            Map<String, Integer> addedIds = new HashMap<>();
            for (AddedToken t : addedTokens) {
                idToToken[t.id()] = t.content();
                addedIds.put(t.content(), t.id());
            }
            return new Vocabulary(idToToken, addedIds, modelIds);
        }

        /** The id of a vocabulary string (an added token's first), or −1. */
        int id(String token) {
            Integer a = addedIds.get(token);
            return a != null ? a : modelIds.applyAsInt(token);
        }

        /** The id of the first of {@code tokens} in the vocabulary, or −1. */
        int firstId(String... tokens) {
            for (String t : tokens) {
                int id = id(t);
                if (id >= 0) {
                    return id;
                }
            }
            return -1;
        }
    }

    private final Vocabulary vocabulary;
    private final boolean[] specialId;    // (id) skipped by decode(ids, skipSpecial=true)
    private final int clsId;
    private final int sepId;
    private final int padId;
    private final int maskId;

    VocabularyTokenizer(Vocabulary vocabulary, boolean[] specialId, int clsId, int sepId, int padId, int maskId) {
        this.vocabulary = vocabulary;
        this.specialId = specialId;
        this.clsId = clsId;
        this.sepId = sepId;
        this.padId = padId;
        this.maskId = maskId;
    }

    /** Added tokens, normalizer, pre-tokenizer and model over one text: its tokens without the template's special tokens. */
    abstract TokenList tokenizeToList(String text);

    /** The template's encoding of {@code a} (and {@code b} for a pair, else null), truncated to {@code maxLength} when {@code truncate}. */
    abstract Encoding finish(TokenList a, TokenList b, int maxLength, boolean truncate);

    @Override
    public final Encoding encode(String text, int maxLength, boolean truncate) {
        return finish(tokenizeToList(Objects.requireNonNull(text, "text to encode is null")), null, maxLength, truncate);
    }

    @Override
    public final Encoding encodePair(String first, String second, int maxLength, boolean truncate) {
        TokenList a = tokenizeToList(Objects.requireNonNull(first, "first text of the pair is null"));
        TokenList b = tokenizeToList(Objects.requireNonNull(second, "second text of the pair is null"));
        return finish(a, b, maxLength, truncate);
    }

    @Override
    public final int[] wordIds(String text) {
        TokenList t = tokenizeToList(Objects.requireNonNull(text, "text is null"));
        return Arrays.copyOf(t.word, t.size);
    }

    /** The tokens of {@code text} without the template's special tokens (Hugging Face's {@code tokenize}). */
    public final List<String> tokenize(String text) {
        TokenList t = tokenizeToList(Objects.requireNonNull(text, "text to tokenize is null"));
        return List.of(Arrays.copyOf(t.tokens, t.size));
    }

    /** Whether {@code decode(ids, skipSpecial=true)} leaves this id out. */
    final boolean isSpecial(int id) {
        return specialId[id];
    }

    /** @throws IllegalArgumentException for an id outside the vocabulary */
    @Override
    public final String token(int id) {
        String[] idToToken = vocabulary.idToToken();
        if (id < 0 || id >= idToToken.length || idToToken[id] == null) {
            throw new IllegalArgumentException("token id " + id + " is not in the vocabulary (size "
                    + idToToken.length + ")");
        }
        return idToToken[id];
    }

    @Override
    public final int id(String token) {
        return vocabulary.id(token);
    }

    @Override
    public final int vocabSize() {
        return vocabulary.idToToken().length;
    }

    @Override
    public final int clsId() {
        return clsId;
    }

    @Override
    public final int sepId() {
        return sepId;
    }

    @Override
    public final int padId() {
        return padId;
    }

    @Override
    public final int maskId() {
        return maskId;
    }
}
