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
}
