package dev.mlm4j.tokens;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Compares an {@link Encoding} with Hugging Face's result, field by field, and explains the first difference:
 * the input, the first differing index and both token lists around it (llm.c-style labelled mismatch).
 */
final class Parity {

    private final String label;
    private final boolean checkOffsets;
    private final List<String> reports = new ArrayList<>();
    private int compared;
    private int mismatched;
    private long tokens;

    Parity(String label, boolean checkOffsets) {
        this.label = label;
        this.checkOffsets = checkOffsets;
    }

    /** Compares one input; returns whether everything agreed. */
    boolean check(String input, Encoding ours, HfOracle.Result hf) {
        compared++;
        tokens += hf.ids().length;
        int n = Math.max(ours.length(), hf.ids().length);
        for (int i = 0; i < n; i++) {
            String what = differs(ours, hf, i);
            if (what != null) {
                mismatched++;
                if (reports.size() < 10) {
                    reports.add(report(input, ours, hf, i, what));
                }
                return false;
            }
        }
        if (ours.truncated() != hf.truncated()) {
            mismatched++;
            if (reports.size() < 10) {
                reports.add("[" + label + "] truncated flag differs (ours " + ours.truncated() + ", HF "
                        + hf.truncated() + ") on " + quote(input));
            }
            return false;
        }
        return true;
    }

    private String differs(Encoding ours, HfOracle.Result hf, int i) {
        if (i >= ours.length()) {
            return "ours is shorter (" + ours.length() + " vs " + hf.ids().length + " tokens)";
        }
        if (i >= hf.ids().length) {
            return "ours is longer (" + ours.length() + " vs " + hf.ids().length + " tokens)";
        }
        if (ours.ids()[i] != hf.ids()[i]) {
            return "id";
        }
        if (!ours.tokens()[i].equals(hf.tokens()[i])) {
            return "token string";
        }
        if (ours.typeIds()[i] != hf.typeIds()[i]) {
            return "type id";
        }
        if (ours.special()[i] != (hf.specialMask()[i] == 1)) {
            return "special flag";
        }
        if (ours.sequenceIds()[i] != hf.sequenceIds()[i]) {
            return "sequence id";
        }
        if (checkOffsets && (ours.start()[i] != hf.start()[i] || ours.end()[i] != hf.end()[i])) {
            return "offsets";
        }
        return null;
    }

    private String report(String input, Encoding ours, HfOracle.Result hf, int i, String what) {
        int from = Math.max(0, i - 5);
        StringBuilder sb = new StringBuilder();
        sb.append('[').append(label).append("] first difference at token ").append(i).append(" (").append(what)
                .append(") in ").append(quote(input)).append('\n');
        sb.append("    ours: ");
        for (int k = from; k < Math.min(ours.length(), i + 6); k++) {
            sb.append(k == i ? ">>" : "").append(ours.tokens()[k]).append('/').append(ours.ids()[k])
                    .append('@').append(ours.start()[k]).append('-').append(ours.end()[k]).append(' ');
        }
        sb.append("\n    HF:   ");
        for (int k = from; k < Math.min(hf.ids().length, i + 6); k++) {
            sb.append(k == i ? ">>" : "").append(hf.tokens()[k]).append('/').append(hf.ids()[k])
                    .append('@').append(hf.start()[k]).append('-').append(hf.end()[k]).append(' ');
        }
        return sb.toString();
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length() && i < 400; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || Character.getType(c) == Character.FORMAT
                    || Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1)))) {
                sb.append(String.format("\\u%04X", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append(s.length() > 400 ? "…\"" : "\"").toString();
    }

    int compared() {
        return compared;
    }

    int mismatched() {
        return mismatched;
    }

    long tokens() {
        return tokens;
    }

    /** One line for the test log. */
    String summary() {
        return String.format("[%s] %d inputs, %d tokens: %d identical, %d differ", label, compared, tokens,
                compared - mismatched, mismatched);
    }

    /** The summary and the first reports, for an assertion message. */
    String failureMessage() {
        return summary() + "\n" + String.join("\n", reports);
    }

    static String ids(long[] a) {
        return Arrays.toString(a);
    }
}
