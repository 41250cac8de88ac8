package dev.mlm4j.config;

/**
 * What every encoder family's config record says and what the pipelines read: the sizes, with Hugging Face's
 * meaning. A family's own record ({@link BertConfig}, …) carries the rest.
 */
public interface EncoderConfig {
    int vocabSize();

    int hiddenSize();

    int numHiddenLayers();

    int numAttentionHeads();

    /** The size of the position table: the longest sequence the model takes. */
    int maxPositionEmbeddings();

    /**
     * config.json's {@code is_decoder}: a causal model (transformers' {@code BertLMHeadModel}), whose every layer attends
     * only to the tokens at or before its own, whatever a caller asks for; false for a bidirectional encoder.
     */
    default boolean isDecoder() {
        return false;
    }
}
