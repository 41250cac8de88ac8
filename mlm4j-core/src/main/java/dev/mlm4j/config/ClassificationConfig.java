package dev.mlm4j.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The label side of a classification model's {@code config.json}, as transformers' {@code PretrainedConfig} reads it:
 * {@code id2label} (ids 0 … n−1), {@code label2id}, {@code num_labels} and {@code problem_type}. Without
 * {@code id2label} the labels are {@code LABEL_0 … LABEL_{n−1}} with n = {@code num_labels} (2 when absent too).
 * Maps that disagree with each other (a missing id, a label2id that is not id2label's inverse, a num_labels of
 * another size) are refused in one line naming {@code where}: a wrong name on a score is a silently wrong answer.
 *
 * @param labels      the label of each id, in id order
 * @param problemType null, {@code single_label_classification}, {@code multi_label_classification} or {@code regression}
 */
public record ClassificationConfig(List<String> labels, String problemType) {

    public static final List<String> PROBLEM_TYPES = List.of("single_label_classification", "multi_label_classification", "regression");

    public ClassificationConfig {
        labels = List.copyOf(labels);
        if (labels.isEmpty()) throw new IllegalArgumentException("a classifier needs at least one label");
        if (problemType != null && !PROBLEM_TYPES.contains(problemType)) {
            throw new IllegalArgumentException("problem_type '" + problemType + "' is not one of " + PROBLEM_TYPES);
        }
    }

    /** {@code LABEL_0 … LABEL_{n−1}}, no problem type: what transformers gives a config without label maps. */
    public static ClassificationConfig defaults(int numLabels) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < numLabels; i++) l.add("LABEL_" + i);
        return new ClassificationConfig(l, null);
    }

    public int numLabels() {
        return labels.size();
    }

    /** Reads the label keys of a config.json (other keys are {@link BertConfig#fromJson}'s business). */
    public static ClassificationConfig fromJson(JsonNode root, String where) {
        if (root == null || !root.isObject()) throw new IllegalArgumentException(where + " is not a JSON object");
        String problemType = null;
        JsonNode pt = root.get("problem_type");
        if (pt != null && !pt.isNull()) {
            if (!pt.isTextual() || !PROBLEM_TYPES.contains(pt.asText())) {
                throw new IllegalArgumentException(where + ": \"problem_type\": " + pt + " is not supported (transformers knows "
                        + String.join(", ", PROBLEM_TYPES.stream().map(s -> "\"" + s + "\"").toList()) + ")");
            }
            problemType = pt.asText();
        }
        Integer numLabels = null;
        JsonNode nl = root.get("num_labels");
        if (nl != null && !nl.isNull()) {
            if (!nl.isIntegralNumber() || !nl.canConvertToInt() || nl.intValue() <= 0) {
                throw new IllegalArgumentException(where + ": \"num_labels\": " + nl + " is not a positive integer");
            }
            numLabels = nl.intValue();
        }
        List<String> labels;
        JsonNode id2label = root.get("id2label");
        if (id2label == null || id2label.isNull()) {
            labels = defaults(numLabels != null ? numLabels : 2).labels();
        } else {
            if (!id2label.isObject() || id2label.isEmpty()) {
                throw new IllegalArgumentException(where + ": \"id2label\": " + id2label + " is not a map of ids to label names");
            }
            String[] byId = new String[id2label.size()];
            for (Iterator<Map.Entry<String, JsonNode>> it = id2label.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                int id;
                try {
                    id = Integer.parseInt(e.getKey());
                } catch (NumberFormatException x) {
                    id = -1;
                }
                if (id < 0 || id >= byId.length || byId[id] != null) {
                    throw new IllegalArgumentException(where + ": \"id2label\" has key \"" + e.getKey() + "\": ids must be 0 … "
                            + (byId.length - 1) + ", each once");
                }
                if (!e.getValue().isTextual()) {
                    throw new IllegalArgumentException(where + ": \"id2label\": \"" + e.getKey() + "\": " + e.getValue() + " is not a label name");
                }
                byId[id] = e.getValue().asText();
            }
            labels = List.of(byId);
            if (numLabels != null && numLabels != labels.size()) {
                throw new IllegalArgumentException(where + ": \"num_labels\" is " + numLabels + " but \"id2label\" has " + labels.size() + " labels");
            }
        }
        JsonNode label2id = root.get("label2id");
        if (label2id != null && !label2id.isNull() && !(id2label == null || id2label.isNull())) {
            if (!label2id.isObject()) throw new IllegalArgumentException(where + ": \"label2id\": " + label2id + " is not a map of label names to ids");
            for (int i = 0; i < labels.size(); i++) {
                JsonNode id = label2id.get(labels.get(i));
                if (id == null || !id.isIntegralNumber() || id.intValue() != i) {
                    throw new IllegalArgumentException(where + ": \"label2id\" does not match \"id2label\": id2label says " + i + " = \""
                            + labels.get(i) + "\" but label2id has \"" + labels.get(i) + "\": " + Objects.toString(id, "nothing"));
                }
            }
            if (label2id.size() != labels.size()) {
                throw new IllegalArgumentException(where + ": \"label2id\" has " + label2id.size() + " labels but \"id2label\" has " + labels.size());
            }
        }
        return new ClassificationConfig(labels, problemType);
    }
}
