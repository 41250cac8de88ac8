package dev.mlm4j.pipelines;

import dev.mlm4j.hub.ModelCard;

import java.util.Locale;

/**
 * How {@link FeatureExtraction} turns a text's last hidden state (len, hidden) into its output: sentence-transformers'
 * {@code Pooling} module ({@code pooling_mode_mean_tokens}, {@code pooling_mode_cls_token}) or no pooling at all.
 */
public enum Pooling {
    /** The average of every token's vector, [CLS] and [SEP] included (all of them are attended: there is no padding). */
    MEAN,
    /** The vector of the first token, [CLS]. */
    CLS,
    /** No pooling: one vector per token (Hugging Face's feature-extraction output, {@code last_hidden_state}). */
    NONE;

    /** The name used on the command line and in JSON: {@code mean}, {@code cls}, {@code none}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code mean}, {@code cls} or {@code none} (any case). */
    public static Pooling parse(String s) {
        if (s != null) {
            for (Pooling p : values()) if (p.id().equalsIgnoreCase(s.trim())) return p;
        }
        throw new IllegalArgumentException("unknown pooling '" + s + "': expected mean, cls or none");
    }

    /** The pooling a model card declares. */
    public static Pooling of(ModelCard.Pooling card) {
        return switch (card) {
            case MEAN -> MEAN;
            case CLS -> CLS;
        };
    }
}
