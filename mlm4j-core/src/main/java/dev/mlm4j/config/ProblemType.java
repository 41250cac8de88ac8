package dev.mlm4j.config;

import java.util.Arrays;
import java.util.Locale;

/**
 * What a sequence classifier's logits mean and which loss trains them: transformers' {@code config.problem_type}, as
 * {@code BertForSequenceClassification.forward(labels=…)} reads it. {@link #SINGLE_LABEL_CLASSIFICATION}: one class per
 * text, cross-entropy over the logits; {@link #MULTI_LABEL_CLASSIFICATION}: any number of labels per text, a sigmoid
 * and binary cross-entropy per logit; {@link #REGRESSION}: each logit a number, mean squared error.
 */
public enum ProblemType {
    SINGLE_LABEL_CLASSIFICATION, MULTI_LABEL_CLASSIFICATION, REGRESSION;

    /** The config.json spelling: {@code single_label_classification}, {@code multi_label_classification}, {@code regression}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** By {@link #id()}; null for null (no problem_type in the config); an unknown name is a one-line error. */
    public static ProblemType of(String id) {
        if (id == null) return null;
        for (ProblemType p : values()) if (p.id().equals(id)) return p;
        throw new IllegalArgumentException("problem_type '" + id + "' is not one of " + Arrays.stream(values()).map(ProblemType::id).toList());
    }

    /**
     * transformers' choice when the config names none: one label → regression; integer labels (class ids) →
     * single-label; anything else (float multi-hot rows) → multi-label.
     */
    public static ProblemType infer(int numLabels, boolean integerLabels) {
        if (numLabels == 1) return REGRESSION;
        return integerLabels ? SINGLE_LABEL_CLASSIFICATION : MULTI_LABEL_CLASSIFICATION;
    }
}
