package dev.mlm4j.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The architecture of a BERT-family encoder, with Hugging Face's {@code config.json} field names.
 * Checked against the weights' shapes once, at load.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BertConfig(
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("hidden_size") int hiddenSize,
        @JsonProperty("num_hidden_layers") int numHiddenLayers,
        @JsonProperty("num_attention_heads") int numAttentionHeads,
        @JsonProperty("intermediate_size") int intermediateSize,
        @JsonProperty("hidden_act") String hiddenAct,
        @JsonProperty("max_position_embeddings") int maxPositionEmbeddings,
        @JsonProperty("type_vocab_size") int typeVocabSize,
        @JsonProperty("layer_norm_eps") double layerNormEps,
        @JsonProperty("pad_token_id") int padTokenId) {

    public BertConfig {
        if (vocabSize <= 0 || hiddenSize <= 0 || numHiddenLayers <= 0 || numAttentionHeads <= 0 || intermediateSize <= 0
                || maxPositionEmbeddings <= 0 || typeVocabSize <= 0) {
            throw new IllegalArgumentException("config sizes must be positive: " + this);
        }
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + numAttentionHeads);
        }
        if (hiddenAct == null) hiddenAct = "gelu";
        if (!hiddenAct.equals("gelu")) {
            throw new IllegalArgumentException("hidden_act '" + hiddenAct + "' is not supported (mlm4j implements BERT's exact erf GELU, 'gelu')");
        }
        if (layerNormEps <= 0) layerNormEps = 1e-12;
    }

    public int headSize() {
        return hiddenSize / numAttentionHeads;
    }

    /** BERT-base (Devlin et al., 2019): 12 layers, hidden 768, 12 heads, intermediate 3072. */
    public static BertConfig bertBase(int vocabSize) {
        return new BertConfig(vocabSize, 768, 12, 12, 3072, "gelu", 512, 2, 1e-12, 0);
    }
}
