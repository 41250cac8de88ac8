package dev.mlm4j.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The architecture of a ModernBERT encoder (Warner et al., 2024), with transformers' {@code ModernBertConfig} field names
 * and defaults: pre-norm layers, rotary positions ({@code rope_parameters.full_attention.rope_theta} 160000 on global
 * layers, {@code sliding_attention} 10000 on local ones; older configs say {@code global_rope_theta}/{@code local_rope_theta}),
 * a GeGLU MLP, sliding-window attention ({@code local_attention} tokens wide: |i − j| ≤ local_attention/2) on the layers
 * {@code layer_types} marks {@code sliding_attention} (else every layer but each {@code global_attn_every_n_layers}-th),
 * and no biases unless {@code attention_bias}, {@code mlp_bias}, {@code norm_bias}, {@code classifier_bias} ask
 * ({@code decoder_bias} defaults to true). No token types.
 *
 * @param layerTypes        per layer, {@code full_attention} or {@code sliding_attention}
 * @param classifierPooling {@code cls} or {@code mean}: what the sequence classifier reads
 */
public record ModernBertConfig(int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
                               int maxPositionEmbeddings, double normEps, boolean normBias, boolean attentionBias, boolean mlpBias,
                               boolean decoderBias, boolean classifierBias, List<String> layerTypes, double globalRopeTheta,
                               double localRopeTheta, int localAttention, String classifierPooling, int padTokenId)
        implements EncoderConfig {

    public static final String FULL = "full_attention", SLIDING = "sliding_attention";

    public ModernBertConfig {
        layerTypes = List.copyOf(layerTypes);
        if (vocabSize <= 0 || hiddenSize <= 0 || intermediateSize <= 0 || numHiddenLayers <= 0 || numAttentionHeads <= 0
                || maxPositionEmbeddings <= 0 || localAttention <= 0) {
            throw new IllegalArgumentException("config sizes must be positive: " + this);
        }
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + numAttentionHeads);
        }
        if ((hiddenSize / numAttentionHeads) % 2 != 0) throw new IllegalArgumentException("rotary positions need an even head size, not " + hiddenSize / numAttentionHeads);
        if (layerTypes.size() != numHiddenLayers) {
            throw new IllegalArgumentException("layer_types has " + layerTypes.size() + " entries for " + numHiddenLayers + " layers");
        }
        for (String t : layerTypes) {
            if (!t.equals(FULL) && !t.equals(SLIDING)) {
                throw new IllegalArgumentException("layer_types entry \"" + t + "\" is not supported (mlm4j implements \"" + FULL + "\" and \"" + SLIDING + "\")");
            }
        }
        if (!classifierPooling.equals("cls") && !classifierPooling.equals("mean")) {
            throw new IllegalArgumentException("classifier_pooling \"" + classifierPooling + "\" is not supported (mlm4j implements \"cls\" and \"mean\")");
        }
    }

    public int headSize() {
        return hiddenSize / numAttentionHeads;
    }

    /** Whether layer {@code i} attends within the sliding window only. */
    public boolean isLocal(int layer) {
        return layerTypes.get(layer).equals(SLIDING);
    }

    /** transformers' {@code sliding_window}: a local layer's query i sees keys j with |i − j| ≤ this. */
    public int halfWindow() {
        return localAttention / 2;
    }

    /**
     * Reads {@code config.json} as transformers' {@code ModernBertConfig} does (an absent field takes its default),
     * refusing in one line naming {@code where} what mlm4j would compute differently: another activation, a RoPE type
     * other than {@code default} (scaled or dynamic rotary positions), another pooling.
     */
    public static ModernBertConfig fromJson(JsonNode root, String where) {
        if (root == null || !root.isObject()) throw new IllegalArgumentException(where + " is not a JSON object");
        for (String act : new String[] {"hidden_activation", "classifier_activation"}) {
            JsonNode a = root.get(act);
            if (a != null && !(a.isTextual() && a.asText().equals("gelu"))) {
                throw new IllegalArgumentException(where + ": \"" + act + "\": " + a + " is not supported (mlm4j implements \"gelu\")");
            }
        }
        JsonNode scaling = root.get("rope_scaling");
        if (scaling != null && !scaling.isNull()) {
            throw new IllegalArgumentException(where + ": \"rope_scaling\": " + scaling + " is not supported (mlm4j implements unscaled rotary positions)");
        }
        try {
            int layers = BertConfig.positive(root, "num_hidden_layers", 22, where);
            List<String> types = new ArrayList<>();
            JsonNode lt = root.get("layer_types");
            if (lt != null && !lt.isNull()) {
                if (!lt.isArray()) throw new IllegalArgumentException(where + ": \"layer_types\": " + lt + " is not a list");
                for (JsonNode t : lt) types.add(t.isTextual() ? t.asText() : t.toString());
            } else {
                int every = BertConfig.positive(root, "global_attn_every_n_layers", 3, where);
                for (int i = 0; i < layers; i++) types.add(i % every != 0 ? SLIDING : FULL);
            }
            double global = theta(root, FULL, "global_rope_theta", 160_000.0, where);
            double local = theta(root, SLIDING, "local_rope_theta", 10_000.0, where);
            JsonNode pooling = root.get("classifier_pooling");
            return new ModernBertConfig(BertConfig.positive(root, "vocab_size", 50368, where), BertConfig.positive(root, "hidden_size", 768, where),
                    BertConfig.positive(root, "intermediate_size", 1152, where), layers, BertConfig.positive(root, "num_attention_heads", 12, where),
                    BertConfig.positive(root, "max_position_embeddings", 8192, where), BertConfig.positiveNumber(root, "norm_eps", 1e-5, where),
                    BertConfig.bool(root, "norm_bias", false, where), BertConfig.bool(root, "attention_bias", false, where), BertConfig.bool(root, "mlp_bias", false, where),
                    BertConfig.bool(root, "decoder_bias", true, where), BertConfig.bool(root, "classifier_bias", false, where), types, global, local,
                    BertConfig.positive(root, "local_attention", 128, where), pooling == null || pooling.isNull() ? "cls" : pooling.asText(),
                    BertConfig.padTokenId(root, where));
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** {@code rope_parameters[kind].rope_theta} (type "default" only), else the older top-level {@code legacy} field, else {@code absent}. */
    private static double theta(JsonNode root, String kind, String legacy, double absent, String where) {
        JsonNode params = root.path("rope_parameters").path(kind);
        if (params.isObject()) {
            JsonNode type = params.get("rope_type");
            if (type != null && !(type.isTextual() && type.asText().equals("default"))) {
                throw new IllegalArgumentException(where + ": \"rope_parameters\": \"" + kind + "\": \"rope_type\": " + type
                        + " is not supported (mlm4j implements \"default\")");
            }
            if (params.has("rope_theta")) return BertConfig.positiveNumber(params, "rope_theta", absent, where + ": \"rope_parameters\": \"" + kind + "\"");
        }
        return BertConfig.positiveNumber(root, legacy, absent, where);
    }
}
