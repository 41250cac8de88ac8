package dev.mlm4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The architecture of an ELECTRA encoder (Clark et al., 2020), transformers' {@code ElectraConfig}: BERT's fields (with
 * ELECTRA's defaults: hidden 256, 4 heads, intermediate 1024) and {@code embedding_size}, the width of the embedding
 * tables; when it differs from {@code hidden_size} the model projects the embeddings ({@code embeddings_project}).
 *
 * @param encoder       the layers' sizes, as BERT's record
 * @param embeddingSize the embedding tables' width
 */
public record ElectraConfig(BertConfig encoder, int embeddingSize) implements EncoderConfig {

    public ElectraConfig {
        if (embeddingSize <= 0) throw new IllegalArgumentException("embedding_size " + embeddingSize + " is not positive");
    }

    /** Reads {@code config.json} as transformers' {@code ElectraConfig} does, with {@link BertConfig#fromJson}'s checks. */
    public static ElectraConfig fromJson(JsonNode root, String where) {
        ObjectNode bert = BertConfig.asBert(root, where);
        if (!bert.has("hidden_size")) bert.put("hidden_size", 256);
        if (!bert.has("num_attention_heads")) bert.put("num_attention_heads", 4);
        if (!bert.has("intermediate_size")) bert.put("intermediate_size", 1024);
        int embeddingSize = BertConfig.positive(bert, "embedding_size", 128, where);
        try {
            return new ElectraConfig(BertConfig.fromJson(bert, where), embeddingSize);
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** The embeddings' sizes as BERT's record: the tables are {@code embedding_size} wide (one head: the field is unused there). */
    public BertConfig embeddings() {
        BertConfig e = encoder;
        return new BertConfig(e.vocabSize(), embeddingSize, e.numHiddenLayers(), 1, e.intermediateSize(), "gelu",
                e.maxPositionEmbeddings(), e.typeVocabSize(), e.layerNormEps(), e.padTokenId());
    }

    /** Whether the embeddings are projected to {@code hidden_size} ({@code embeddings_project}): the widths differ. */
    public boolean projected() {
        return embeddingSize != encoder.hiddenSize();
    }

    @Override
    public int vocabSize() {
        return encoder.vocabSize();
    }

    @Override
    public int hiddenSize() {
        return encoder.hiddenSize();
    }

    @Override
    public int numHiddenLayers() {
        return encoder.numHiddenLayers();
    }

    @Override
    public int numAttentionHeads() {
        return encoder.numAttentionHeads();
    }

    @Override
    public int maxPositionEmbeddings() {
        return encoder.maxPositionEmbeddings();
    }
}
