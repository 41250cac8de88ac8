package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Map;

/**
 * A token classifier's labels, by id, from {@code config.json}'s {@code id2label} (checked against {@code label2id}
 * and the classifier's size). Without {@code id2label}, transformers' defaults {@code LABEL_0 … LABEL_n-1}.
 */
record TokenLabelMap(String[] names) {

    String name(int id) {
        return names[id];
    }

    int size() {
        return names.length;
    }

    /** Reads the map; {@code numLabels} is the classifier's row count; every disagreement is one line naming {@code where}. */
    static TokenLabelMap read(JsonNode config, int numLabels, String where) {
        String[] names = new String[numLabels];
        JsonNode id2label = config == null ? null : config.get("id2label");
        if (id2label == null || id2label.isNull()) {
            for (int i = 0; i < numLabels; i++) names[i] = "LABEL_" + i;
            return new TokenLabelMap(names);
        }
        if (!id2label.isObject()) throw new IllegalArgumentException(where + ": \"id2label\" is not an object of id → label");
        if (id2label.size() != numLabels) {
            throw new IllegalArgumentException(where + ": \"id2label\" has " + id2label.size() + " labels but the classifier"
                    + " (classifier.weight) scores " + numLabels);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = id2label.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException x) {
                throw new IllegalArgumentException(where + ": \"id2label\" key \"" + e.getKey() + "\" is not an id");
            }
            if (id < 0 || id >= numLabels || names[id] != null) {
                throw new IllegalArgumentException(where + ": \"id2label\" id " + id + " is out of range 0…" + (numLabels - 1) + " or repeated");
            }
            if (!e.getValue().isTextual()) throw new IllegalArgumentException(where + ": \"id2label\" label of id " + id + " is not a string");
            names[id] = e.getValue().asText();
        }
        JsonNode label2id = config.get("label2id");
        if (label2id != null && !label2id.isNull()) {
            boolean ok = label2id.isObject() && label2id.size() == numLabels;
            for (int i = 0; ok && i < numLabels; i++) {
                JsonNode v = label2id.get(names[i]);
                ok = v != null && v.canConvertToInt() && v.asInt() == i;
            }
            if (!ok) throw new IllegalArgumentException(where + ": \"label2id\" " + label2id + " is not the inverse of \"id2label\" " + id2label);
        }
        return new TokenLabelMap(names);
    }
}
