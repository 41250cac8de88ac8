package dev.mlm4j.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The architecture of a DeBERTa-v2/v3 encoder (He et al., 2021), with transformers' {@code DebertaV2Config} field names
 * and defaults. What DeBERTa-v3 sets: {@code relative_attention} true, {@code position_buckets} 256,
 * {@code max_relative_positions} −1 (then {@code max_position_embeddings}), {@code pos_att_type} {@code p2c|c2p},
 * {@code share_att_key} true, {@code norm_rel_ebd} {@code layer_norm}, {@code position_biased_input} false (no absolute
 * positions), {@code type_vocab_size} 0, {@code layer_norm_eps} 1e-7.
 *
 * @param embeddingSize   {@code embedding_size} (default {@code hidden_size}; otherwise {@code embed_proj} maps it up)
 * @param c2p             {@code pos_att_type} holds {@code c2p}: content → position scores
 * @param p2c             {@code pos_att_type} holds {@code p2c}: position → content scores
 * @param normRelEmbeddings {@code norm_rel_ebd} holds {@code layer_norm}: the relative embeddings go through the encoder's LayerNorm
 * @param legacy          {@code legacy} (default true): the MLM head is {@code cls.predictions.*}; false: {@code lm_predictions.lm_head.*}
 * @param convKernelSize  {@code conv_kernel_size}: 0 (DeBERTa-v3) or the width of the convolution after the first layer (DeBERTa-v2 xlarge)
 * @param convAct         {@code conv_act}: "tanh" (default) or "gelu"
 */
public record DebertaV2Config(int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads, int intermediateSize,
                              int maxPositionEmbeddings, int typeVocabSize, int embeddingSize, double layerNormEps,
                              boolean relativeAttention, int maxRelativePositions, int positionBuckets, boolean positionBiasedInput,
                              boolean c2p, boolean p2c, boolean shareAttKey, boolean normRelEmbeddings, boolean legacy,
                              int padTokenId, int convKernelSize, String convAct) implements EncoderConfig {

    public DebertaV2Config {
        if (vocabSize <= 0 || hiddenSize <= 0 || numHiddenLayers <= 0 || numAttentionHeads <= 0 || intermediateSize <= 0
                || maxPositionEmbeddings <= 0 || typeVocabSize < 0 || embeddingSize <= 0) {
            throw new IllegalArgumentException("config sizes must be positive: " + this);
        }
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + numAttentionHeads);
        }
        if (convKernelSize < 0 || (convKernelSize > 0 && convKernelSize % 2 == 0)) {
            throw new IllegalArgumentException("conv_kernel_size " + convKernelSize + " is not supported (mlm4j implements 0 or an odd width)");
        }
        if (!convAct.equals("tanh") && !convAct.equals("gelu")) {
            throw new IllegalArgumentException("conv_act \"" + convAct + "\" is not supported (mlm4j implements \"tanh\" and \"gelu\")");
        }
    }

    /** The sizes BERT's training buffers are allocated from (hidden, layers, heads, intermediate; no absolute-position limit of its own). */
    public BertConfig bertSizes() {
        return new BertConfig(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, "gelu", maxPositionEmbeddings,
                Math.max(1, typeVocabSize), layerNormEps, padTokenId);
    }

    public int headSize() {
        return hiddenSize / numAttentionHeads;
    }

    /** transformers' {@code max_relative_positions}, where a value below 1 means {@code max_position_embeddings}. */
    public int relativeReach() {
        return maxRelativePositions < 1 ? maxPositionEmbeddings : maxRelativePositions;
    }

    /** transformers' {@code pos_ebd_size} (att_span): {@code position_buckets} when positive, else the relative reach. */
    public int attentionSpan() {
        return positionBuckets > 0 ? positionBuckets : relativeReach();
    }

    /** Rows of {@code encoder.rel_embeddings}: twice the span. */
    public int relativeEmbeddings() {
        return 2 * attentionSpan();
    }

    /** 1 + one per relative term in {@code pos_att_type}: the scores are divided by √(head size × this). */
    public int scaleFactor() {
        return 1 + (c2p ? 1 : 0) + (p2c ? 1 : 0);
    }

    /**
     * Reads {@code config.json} as transformers' {@code DebertaV2Config} does (an absent field takes its default),
     * refusing in one line naming {@code where} what mlm4j would compute differently: another activation, a grouped
     * first-layer convolution ({@code conv_groups} > 1), a {@code pos_att_type} other than {@code c2p}/{@code p2c}, an
     * {@code attention_head_size} other than hidden/heads.
     */
    public static DebertaV2Config fromJson(JsonNode root, String where) {
        if (root == null || !root.isObject()) throw new IllegalArgumentException(where + " is not a JSON object");
        for (String act : new String[] {"hidden_act", "pooler_hidden_act"}) {
            JsonNode a = root.get(act);
            if (a != null && !(a.isTextual() && a.asText().equals("gelu"))) {
                throw new IllegalArgumentException(where + ": \"" + act + "\": " + a + " is not supported (mlm4j implements \"gelu\")");
            }
        }
        JsonNode groups = root.get("conv_groups");
        if (groups != null && !(groups.isIntegralNumber() && groups.intValue() == 1)) {
            throw new IllegalArgumentException(where + ": \"conv_groups\": " + groups + " is not supported (mlm4j implements 1)");
        }
        List<String> posAtt = posAttType(root.get("pos_att_type"), where);
        String normRel = text(root, "norm_rel_ebd", "none", where).toLowerCase(java.util.Locale.ROOT);
        List<String> norms = new ArrayList<>();
        for (String n : normRel.split("\\|")) norms.add(n.strip());
        for (String n : norms) {
            if (!n.equals("none") && !n.equals("layer_norm")) {
                throw new IllegalArgumentException(where + ": \"norm_rel_ebd\": \"" + normRel + "\" is not supported (mlm4j implements \"none\" or \"layer_norm\")");
            }
        }
        try {
            int hidden = BertConfig.positive(root, "hidden_size", 1536, where);
            int heads = BertConfig.positive(root, "num_attention_heads", 24, where);
            JsonNode headSize = root.get("attention_head_size");
            if (headSize != null && !(headSize.isIntegralNumber() && headSize.intValue() * heads == hidden)) {
                throw new IllegalArgumentException(where + ": \"attention_head_size\": " + headSize
                        + " is not supported (mlm4j implements hidden_size / num_attention_heads = " + hidden / heads + ")");
            }
            JsonNode types = root.get("type_vocab_size");
            int typeVocab = types == null ? 0 : types.isIntegralNumber() && types.intValue() >= 0 ? types.intValue() : -1;
            if (typeVocab < 0) throw new IllegalArgumentException(where + ": \"type_vocab_size\": " + types + " is not a non-negative integer");
            return new DebertaV2Config(BertConfig.positive(root, "vocab_size", 128100, where), hidden,
                    BertConfig.positive(root, "num_hidden_layers", 24, where), heads,
                    BertConfig.positive(root, "intermediate_size", 6144, where),
                    BertConfig.positive(root, "max_position_embeddings", 512, where), typeVocab,
                    BertConfig.positive(root, "embedding_size", hidden, where),
                    BertConfig.positiveNumber(root, "layer_norm_eps", 1e-7, where),
                    BertConfig.bool(root, "relative_attention", false, where), integer(root, "max_relative_positions", -1, where),
                    integer(root, "position_buckets", -1, where), BertConfig.bool(root, "position_biased_input", true, where),
                    posAtt.contains("c2p"), posAtt.contains("p2c"), BertConfig.bool(root, "share_att_key", false, where),
                    norms.contains("layer_norm"), BertConfig.bool(root, "legacy", true, where), BertConfig.padTokenId(root, where),
                    Math.max(0, integer(root, "conv_kernel_size", 0, where)), text(root, "conv_act", "tanh", where));
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** {@code pos_att_type}: a list or a {@code |}-separated string (transformers accepts both), of {@code c2p} and {@code p2c}. */
    private static List<String> posAttType(JsonNode v, String where) {
        List<String> kinds = new ArrayList<>();
        if (v == null || v.isNull()) return kinds;
        if (v.isTextual()) {
            for (String s : v.asText().toLowerCase(java.util.Locale.ROOT).split("\\|")) if (!s.isBlank()) kinds.add(s.strip());
        } else if (v.isArray()) {
            for (JsonNode s : v) kinds.add(s.isTextual() ? s.asText() : s.toString());
        } else {
            throw new IllegalArgumentException(where + ": \"pos_att_type\": " + v + " is not a list of attention types");
        }
        for (String s : kinds) {
            if (!s.equals("c2p") && !s.equals("p2c")) {
                throw new IllegalArgumentException(where + ": \"pos_att_type\": " + v + " is not supported (mlm4j implements \"c2p\" and \"p2c\")");
            }
        }
        return kinds;
    }

    private static int integer(JsonNode root, String field, int absent, String where) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) return absent;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw new IllegalArgumentException(where + ": \"" + field + "\": " + v + " is not an integer");
        return v.intValue();
    }

    private static String text(JsonNode root, String field, String absent, String where) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) return absent;
        if (!v.isTextual()) throw new IllegalArgumentException(where + ": \"" + field + "\": " + v + " is not a string");
        return v.asText();
    }
}
