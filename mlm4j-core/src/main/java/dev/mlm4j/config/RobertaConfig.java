package dev.mlm4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The architecture of a RoBERTa or XLM-RoBERTa encoder (transformers' {@code RobertaConfig}, {@code XLMRobertaConfig}:
 * the same fields as {@link BertConfig}, other defaults): BERT's layers, with position ids that count a sequence's
 * non-padding tokens from {@code pad_token_id + 1} ({@code create_position_ids_from_input_ids}). So the position table
 * has {@code max_position_embeddings} rows but the longest sequence is {@link #maxPositionEmbeddings()} =
 * {@code max_position_embeddings - pad_token_id - 1} tokens (512 for roberta-base's 514 rows).
 *
 * @param modelType {@code roberta} or {@code xlm-roberta}
 * @param bert      the same fields as BERT's record; its {@code maxPositionEmbeddings} is the table's row count
 */
public record RobertaConfig(String modelType, BertConfig bert) implements EncoderConfig {

    public RobertaConfig {
        if (bert.maxPositionEmbeddings() <= bert.padTokenId() + 1) {
            throw new IllegalArgumentException("max_position_embeddings " + bert.maxPositionEmbeddings() + " leaves no position after pad_token_id "
                    + bert.padTokenId() + " (positions start at pad_token_id + 1)");
        }
    }

    /**
     * Reads {@code config.json} as transformers' config class of {@code modelType} does (an absent field takes its
     * default: vocabulary {@code defaultVocab}, {@code pad_token_id} 1), with {@link BertConfig#fromJson}'s checks; one-line
     * refusals naming {@code where}.
     */
    public static RobertaConfig fromJson(JsonNode root, String where, String modelType, int defaultVocab) {
        ObjectNode bert = BertConfig.asBert(root, where);
        if (!bert.has("vocab_size")) bert.put("vocab_size", defaultVocab);
        if (!bert.has("pad_token_id") || bert.get("pad_token_id").isNull()) bert.put("pad_token_id", 1);
        try {
            return new RobertaConfig(modelType, BertConfig.fromJson(bert, where));
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** The padding id: positions start after it, and a padding token takes position {@code padTokenId} itself. */
    public int padTokenId() {
        return bert.padTokenId();
    }

    @Override
    public int vocabSize() {
        return bert.vocabSize();
    }

    @Override
    public int hiddenSize() {
        return bert.hiddenSize();
    }

    @Override
    public int numHiddenLayers() {
        return bert.numHiddenLayers();
    }

    @Override
    public int numAttentionHeads() {
        return bert.numAttentionHeads();
    }

    /** The longest sequence: the position table's rows less the {@code pad_token_id + 1} that no token takes. */
    @Override
    public int maxPositionEmbeddings() {
        return bert.maxPositionEmbeddings() - bert.padTokenId() - 1;
    }
}
