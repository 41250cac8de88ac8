package dev.mlm4j.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.List;

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
        @JsonProperty("pad_token_id") int padTokenId,
        @JsonProperty("is_decoder") boolean isDecoder,
        @JsonProperty(POOLING_KEY) boolean poolsLastToken) implements EncoderConfig {

    /**
     * config.json's key for what a sequence classifier pools: {@code "last"} (each sequence's last token, {@code [SEP]},
     * GPT-2's choice, for a causal model whose [CLS] sees only itself; mlm4j's own key, which transformers ignores — its
     * BertForSequenceClassification pools [CLS]) or {@code "first"} ([CLS], the default, transformers').
     */
    public static final String POOLING_KEY = "mlm4j_pooling";

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

    /** A bidirectional encoder ({@code is_decoder} false, transformers' default). */
    public BertConfig(int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads, int intermediateSize, String hiddenAct,
                      int maxPositionEmbeddings, int typeVocabSize, double layerNormEps, int padTokenId) {
        this(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, hiddenAct, maxPositionEmbeddings, typeVocabSize,
                layerNormEps, padTokenId, false, false);
    }

    /**
     * Reads a {@code config.json} as transformers' {@code BertConfig} does (a field that is absent takes its
     * default), but refuses what mlm4j would otherwise silently compute differently: a field set to {@code null}
     * or of the wrong type, and a value of an architecture field mlm4j does not implement ({@link #IMPLEMENTED}).
     * Every refusal is one line naming {@code where}, the field and the value.
     */
    public static BertConfig fromJson(JsonNode root, String where) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(where + " is not a JSON object (it is " + (root == null || root.isMissingNode() ? "empty" : root.isNull() ? "null" : root.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)) + ")");
        }
        for (var e : IMPLEMENTED.entrySet()) {
            JsonNode v = root.get(e.getKey());
            if (v == null) continue; // absent: transformers' default, which is what mlm4j implements
            if (!e.getValue().contains(v)) {
                throw new IllegalArgumentException(where + ": \"" + e.getKey() + "\": " + v + " is not supported (mlm4j implements "
                        + e.getValue().stream().map(JsonNode::toString).collect(java.util.stream.Collectors.joining(" or ")) + ")");
            }
        }
        try {
            return new BertConfig(
                positive(root, "vocab_size", 30522, where), positive(root, "hidden_size", 768, where),
                positive(root, "num_hidden_layers", 12, where), positive(root, "num_attention_heads", 12, where),
                positive(root, "intermediate_size", 3072, where), "gelu",
                positive(root, "max_position_embeddings", 512, where), positive(root, "type_vocab_size", 2, where),
                layerNormEps(root, where), padTokenId(root, where), bool(root, "is_decoder", false, where), poolsLast(root, where));
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * The config.json fields whose value changes what the model computes, with the values mlm4j implements
     * (transformers' defaults for BERT). Any other value is refused at load rather than silently ignored.
     */
    public static final java.util.SequencedMap<String, List<JsonNode>> IMPLEMENTED = implemented();

    private static java.util.SequencedMap<String, List<JsonNode>> implemented() {
        var m = new java.util.LinkedHashMap<String, List<JsonNode>>();   // checked in this order: the first wrong field is reported
        m.put("model_type", List.of(TextNode.valueOf("bert")));
        m.put("position_embedding_type", List.of(TextNode.valueOf("absolute")));
        m.put("hidden_act", List.of(TextNode.valueOf("gelu")));
        m.put("is_decoder", List.of(BooleanNode.FALSE, BooleanNode.TRUE));   // true: the causal mask in every layer (BertLMHeadModel)
        m.put("add_cross_attention", List.of(BooleanNode.FALSE));
        return java.util.Collections.unmodifiableSequencedMap(m);
    }

    /**
     * A copy of another family's {@code config.json} (RoBERTa, ELECTRA: BERT's fields) for {@link #fromJson} to read as
     * BERT's: without its {@code model_type}, which the family has checked. Not an object: fromJson's one-line refusal.
     */
    static com.fasterxml.jackson.databind.node.ObjectNode asBert(JsonNode root, String where) {
        if (root == null || !root.isObject()) fromJson(root, where);
        if (root.path("is_decoder").asBoolean(false)) {
            throw new IllegalArgumentException(where + ": \"is_decoder\": true is not supported for " + root.path("model_type").asText("this family")
                    + " (mlm4j implements the causal decoder for BERT only)");
        }
        com.fasterxml.jackson.databind.node.ObjectNode copy = ((com.fasterxml.jackson.databind.node.ObjectNode) root).deepCopy();
        copy.remove("model_type");
        return copy;
    }

    static int positive(JsonNode root, String field, int absent, String where) {
        JsonNode v = root.get(field);
        if (v == null) return absent;
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() <= 0) {
            throw new IllegalArgumentException(where + ": \"" + field + "\": " + v + " is not a positive integer");
        }
        return v.intValue();
    }

    private static double layerNormEps(JsonNode root, String where) {
        return positiveNumber(root, "layer_norm_eps", 1e-12, where);
    }

    /** A positive finite number field ({@code absent} when missing), or a one-line refusal naming {@code where}. */
    static double positiveNumber(JsonNode root, String field, double absent, String where) {
        JsonNode v = root.get(field);
        if (v == null) return absent;
        if (!v.isNumber() || !(v.doubleValue() > 0) || Double.isInfinite(v.doubleValue())) {
            throw new IllegalArgumentException(where + ": \"" + field + "\": " + v + " is not a positive number");
        }
        return v.doubleValue();
    }

    /** A true/false field ({@code absent} when missing or null), or a one-line refusal naming {@code where}. */
    static boolean bool(JsonNode root, String field, boolean absent, String where) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) return absent;
        if (!v.isBoolean()) throw new IllegalArgumentException(where + ": \"" + field + "\": " + v + " is not true or false");
        return v.booleanValue();
    }

    private static boolean poolsLast(JsonNode root, String where) {
        JsonNode v = root.get(POOLING_KEY);
        if (v == null || v.isNull() || v.equals(TextNode.valueOf("first"))) return false;
        if (v.equals(TextNode.valueOf("last"))) return true;
        throw new IllegalArgumentException(where + ": \"" + POOLING_KEY + "\": " + v + " is not supported (mlm4j implements \"first\" or \"last\")");
    }

    static int padTokenId(JsonNode root, String where) {
        JsonNode v = root.get("pad_token_id");
        if (v == null || v.isNull()) return 0; // transformers allows None; it only marks padding for training

        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
            throw new IllegalArgumentException(where + ": \"pad_token_id\": " + v + " is not a token id (a non-negative integer)");
        }
        return v.intValue();
    }

    public int headSize() {
        return hiddenSize / numAttentionHeads;
    }

    /** BERT-base (Devlin et al., 2019): 12 layers, hidden 768, 12 heads, intermediate 3072. */
    public static BertConfig bertBase(int vocabSize) {
        return new BertConfig(vocabSize, 768, 12, 12, 3072, "gelu", 512, 2, 1e-12, 0);
    }
}
