package dev.mlm4j.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The architecture of a DistilBERT encoder (Sanh et al., 2019), with transformers' {@code DistilBertConfig} field
 * names: {@code dim}, {@code n_layers}, {@code n_heads}, {@code hidden_dim}, {@code activation},
 * {@code max_position_embeddings}, {@code vocab_size}, {@code pad_token_id}. Its LayerNorms use eps 1e-12 (fixed in
 * transformers' modeling_distilbert, not a config field); it has no token types.
 */
public record DistilBertConfig(int vocabSize, int dim, int nLayers, int nHeads, int hiddenDim, String activation,
                               int maxPositionEmbeddings, int padTokenId) implements EncoderConfig {

    /** transformers' modeling_distilbert: {@code nn.LayerNorm(config.dim, eps=1e-12)} everywhere. */
    public static final double LAYER_NORM_EPS = 1e-12;

    public DistilBertConfig {
        if (vocabSize <= 0 || dim <= 0 || nLayers <= 0 || nHeads <= 0 || hiddenDim <= 0 || maxPositionEmbeddings <= 0) {
            throw new IllegalArgumentException("config sizes must be positive: " + this);
        }
        if (dim % nHeads != 0) throw new IllegalArgumentException("dim " + dim + " is not a multiple of n_heads " + nHeads);
        if (!"gelu".equals(activation)) {
            throw new IllegalArgumentException("activation '" + activation + "' is not supported (mlm4j implements the exact erf GELU, 'gelu')");
        }
    }

    /**
     * Reads {@code config.json} as transformers' {@code DistilBertConfig} does (an absent field takes its default),
     * refusing in one line naming {@code where} what mlm4j would compute differently: another activation, sinusoidal
     * position embeddings (their table is in the weights only since transformers 4.x; mlm4j reads learned ones) and a
     * wrong-typed field.
     */
    public static DistilBertConfig fromJson(JsonNode root, String where) {
        if (root == null || !root.isObject()) throw new IllegalArgumentException(where + " is not a JSON object");
        JsonNode sinusoidal = root.get("sinusoidal_pos_embds");
        if (sinusoidal != null && !(sinusoidal.isBoolean() && !sinusoidal.booleanValue())) {
            throw new IllegalArgumentException(where + ": \"sinusoidal_pos_embds\": " + sinusoidal
                    + " is not supported (mlm4j implements learned position embeddings, false)");
        }
        JsonNode act = root.get("activation");
        if (act != null && !(act.isTextual() && act.asText().equals("gelu"))) {
            throw new IllegalArgumentException(where + ": \"activation\": " + act + " is not supported (mlm4j implements \"gelu\")");
        }
        try {
            return new DistilBertConfig(BertConfig.positive(root, "vocab_size", 30522, where), BertConfig.positive(root, "dim", 768, where),
                    BertConfig.positive(root, "n_layers", 6, where), BertConfig.positive(root, "n_heads", 12, where),
                    BertConfig.positive(root, "hidden_dim", 3072, where), "gelu", BertConfig.positive(root, "max_position_embeddings", 512, where),
                    BertConfig.padTokenId(root, where));
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int hiddenSize() {
        return dim;
    }

    @Override
    public int numHiddenLayers() {
        return nLayers;
    }

    @Override
    public int numAttentionHeads() {
        return nHeads;
    }

    public int headSize() {
        return dim / nHeads;
    }

    /**
     * BERT's config with these sizes (hidden_size = dim, intermediate_size = hidden_dim, eps 1e-12, one token type):
     * what BERT's training buffers and masked-LM head, which DistilBERT's training reuses, are sized from.
     */
    public BertConfig bertSizes() {
        return new BertConfig(vocabSize, dim, nLayers, nHeads, hiddenDim, "gelu", maxPositionEmbeddings, 1, LAYER_NORM_EPS, padTokenId);
    }
}
