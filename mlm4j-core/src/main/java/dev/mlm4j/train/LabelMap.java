package dev.mlm4j.train;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Label names ↔ ids of a classifier, in id order: the model's {@code id2label}, or the training file's labels sorted
 * (when the model's are transformers' defaults LABEL_0 …). A label missing from the map is a one-line error naming it
 * and where it was read.
 */
public record LabelMap(List<String> labels) {
    public LabelMap {
        labels = List.copyOf(labels);
        if (labels.isEmpty()) throw new IllegalArgumentException("no labels");
    }

    public int size() {
        return labels.size();
    }

    /** The id of {@code label}, read at {@code where} (e.g. "line 7 of train.jsonl"). */
    public int id(String label, String where) {
        int i = index().getOrDefault(label, -1);
        if (i < 0) throw new IllegalArgumentException("unknown label '" + label + "' on " + where + ": the model's labels are " + labels);
        return i;
    }

    private Map<String, Integer> index() {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < labels.size(); i++) m.put(labels.get(i), i);
        return m;
    }

    /** Whether these are transformers' placeholder names LABEL_0 … LABEL_{n−1} (a head not yet given names). */
    public boolean placeholders() {
        for (int i = 0; i < labels.size(); i++) if (!labels.get(i).equals("LABEL_" + i)) return false;
        return true;
    }
}
