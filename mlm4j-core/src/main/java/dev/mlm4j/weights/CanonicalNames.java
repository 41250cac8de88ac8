package dev.mlm4j.weights;

import java.util.regex.Pattern;

/**
 * The one naming convention every {@link TensorSource} presents (see its javadoc), and the rewrite
 * that brings a checkpoint's own names to it. Readers call {@link #canonical} on every name they
 * find; the model loads {@code bert.*} and {@code cls.*} names only.
 */
public final class CanonicalNames {
    /** Prefix of the base model's parameters, as in {@code BertForMaskedLM} ({@code base_model_prefix}). */
    public static final String BASE_PREFIX = "bert.";

    /** Top-level modules of a bare {@code BertModel}: checkpoints saved from one carry no {@code bert.} prefix. */
    private static final String[] BASE_MODULES = {"embeddings.", "encoder.", "pooler."};

    /** A dotted parameter path such as {@code encoder.layer.0.output.dense.bias}. */
    private static final Pattern PARAMETER_PATH = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z0-9_]+)+");

    private CanonicalNames() {}

    /**
     * The canonical form of a Hugging Face parameter name: {@code bert.} is added to the base model's
     * names ({@code embeddings.*}, {@code encoder.*}, {@code pooler.*}) and TensorFlow's LayerNorm names
     * {@code gamma}/{@code beta} become {@code weight}/{@code bias}, as transformers does on load.
     * Names of heads ({@code cls.*}, {@code classifier.*}, ...) and already prefixed names are kept.
     */
    public static String canonical(String name) {
        String n = name;
        if (n.endsWith(".gamma")) {
            n = n.substring(0, n.length() - "gamma".length()) + "weight";
        } else if (n.endsWith(".beta")) {
            n = n.substring(0, n.length() - "beta".length()) + "bias";
        }
        for (String module : BASE_MODULES) {
            if (n.startsWith(module)) return BASE_PREFIX + n;
        }
        return n;
    }

    /** Whether {@code name} looks like a module parameter path (dotted identifiers), not an exporter's temporary name. */
    public static boolean isParameterPath(String name) {
        return PARAMETER_PATH.matcher(name).matches();
    }
}
