package dev.mlm4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.config.ProblemType;
import dev.mlm4j.layers.CrossEntropy;
import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.tokens.Tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Training files as people have them, read into {@link Record}s and tokenized into {@link Sequence}s:
 * <ul>
 * <li>JSON Lines: {@code {"text","label"}} (classify), {@code {"text_a","text_b","label"}} or
 * {@code {"text","text_pair","label"}} (pairs), {@code {"tokens":[…],"tags":[…]}} (tag; also {@code ner_tags}),
 * {@code {"text"}} (mlm, clm); chosen by the {@code .jsonl} / {@code .json} extension. A classify/pairs label is, as
 * transformers' {@code run_classification} reads it, a name (a string or an integer: single-label), a number with a
 * fraction or exponent (regression; integers then count as numbers), a list of names (multi-label) or a list of
 * numbers (regression with several outputs) — one {@link LabelKind} per file;</li>
 * <li>CoNLL-style columns for tag: a token in the first column, its tag in the last, a blank line between sentences,
 * {@code -DOCSTART-} lines skipped;</li>
 * <li>plain text for mlm and clm: one sequence per non-blank line, or (blocks) every line's tokens run together and
 * cut into blocks of the model's maximum length, as transformers' {@code run_mlm}'s {@code group_texts} does.</li>
 * </ul>
 * A malformed line is a one-line error naming the file and line.
 */
public final class TrainingData {
    /** NaN and Infinity parse (Python's json.dumps writes them) so that a label of NaN is refused by name, not as bad JSON. */
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private TrainingData() {}

    /** What a JSON Lines {@code "label"} is. */
    public enum LabelKind {
        /** A string: a class name. */
        NAME("a name"),
        /** An integer: a class name, or a number in a regression file. */
        INTEGER("an integer"),
        /** A number written with a fraction or an exponent: a regression target. */
        NUMBER("a number"),
        /** A list of strings: the labels of a multi-label example (possibly none). */
        NAMES("a list of names"),
        /** A list of numbers: the targets of a regression with several outputs. */
        NUMBERS("a list of numbers");

        private final String description;

        LabelKind(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }

        /** The problem type a file of this kind alone trains (an integer file: single-label, as run_classification's int64 column). */
        public ProblemType problem() {
            return switch (this) {
                case NAME, INTEGER -> ProblemType.SINGLE_LABEL_CLASSIFICATION;
                case NUMBER, NUMBERS -> ProblemType.REGRESSION;
                case NAMES -> ProblemType.MULTI_LABEL_CLASSIFICATION;
            };
        }

        /** Whether a model of {@code problem} takes this kind of label (an integer: a class name or a number). */
        public boolean fits(ProblemType problem) {
            return this == INTEGER ? problem != ProblemType.MULTI_LABEL_CLASSIFICATION : problem() == problem;
        }
    }

    /**
     * One example as read: text (and pair), a label, or words and their tags; {@code line} is 1-based (a CoNLL
     * sentence's first line: its word w is on {@code line + w}, {@code columns}).
     */
    public record Record(String text, String pair, String label, List<String> words, List<String> tags, int line, boolean columns,
                         LabelKind kind, List<String> names, float[] values) {
        Record(String text, String pair, String label, List<String> words, List<String> tags, int line, boolean columns) {
            this(text, pair, label, words, tags, line, columns, null, null, null);
        }

        Record(String text, String pair, String label, List<String> words, List<String> tags, int line) {
            this(text, pair, label, words, tags, line, false);
        }

        /** A classify/pairs line: its text (and pair) and its label, of any {@link LabelKind}. */
        Record(String text, String pair, Label label, int line) {
            this(text, pair, label.name(), null, null, line, false, label.kind(), label.names(), label.values());
        }
    }

    /** A parsed JSON Lines label: the name (NAME, INTEGER), the names (NAMES), the values (INTEGER, NUMBER, NUMBERS). */
    record Label(LabelKind kind, String name, List<String> names, float[] values) {}

    /** Reads {@code file} for {@code objective}; an empty file (no examples) is refused. */
    public static List<Record> read(Path file, Objective objective) {
        return read(file, objective, "training");
    }

    /** {@link #read(Path, Objective)} of the {@code role} file ("training", "evaluation"), named so in the empty file's message. */
    public static List<Record> read(Path file, Objective objective, String role) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no such file: " + file);
        List<String> lines;
        try {
            lines = new java.util.ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        // a byte-order mark (Windows editors write one) is not text: JSON would refuse it, a CoNLL token would keep it
        if (!lines.isEmpty() && lines.getFirst().startsWith("\uFEFF")) lines.set(0, lines.getFirst().substring(1));
        String name = file.getFileName().toString();
        boolean json = name.endsWith(".jsonl") || name.endsWith(".json");
        List<Record> out = json ? jsonLines(lines, file, objective)
                : switch (objective) {
                    case TAG -> conll(lines, file);
                    case MLM, CLM -> plain(lines);
                    case CLASSIFY, PAIRS -> throw new IllegalArgumentException(file + ": " + objective.id() + " reads JSON Lines (.jsonl) with \"text\" and \"label\"");
                };
        if (out.isEmpty()) throw new IllegalArgumentException(role + " file " + file + " has no examples");
        return out;
    }

    private static List<Record> plain(List<String> lines) {
        List<Record> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) if (!lines.get(i).isBlank()) out.add(new Record(lines.get(i).strip(), null, null, null, null, i + 1));
        return out;
    }

    private static List<Record> conll(List<String> lines, Path file) {
        List<Record> out = new ArrayList<>();
        List<String> words = new ArrayList<>(), tags = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= lines.size(); i++) {
            String l = i < lines.size() ? lines.get(i).strip() : "";
            if (l.isEmpty() || l.startsWith("-DOCSTART-")) {
                if (!words.isEmpty()) out.add(new Record(null, null, null, List.copyOf(words), List.copyOf(tags), start, true));
                words.clear();
                tags.clear();
                continue;
            }
            String[] cols = l.split("\\s+");
            if (cols.length < 2) throw new IllegalArgumentException("line " + (i + 1) + " of " + file + ": expected a token and a tag separated by whitespace, got '" + l + "'");
            if (words.isEmpty()) start = i + 1;
            words.add(cols[0]);
            tags.add(cols[cols.length - 1]);
        }
        return out;
    }

    private static List<Record> jsonLines(List<String> lines, Path file, Objective objective) {
        List<Record> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            String where = "line " + (i + 1) + " of " + file;
            JsonNode n;
            try {
                n = JSON.readTree(lines.get(i));
            } catch (IOException e) {
                throw new IllegalArgumentException(where + " is not JSON" + jsonError(e));
            }
            if (n == null || !n.isObject()) throw new IllegalArgumentException(where + " is not a JSON object");
            out.add(switch (objective) {
                case MLM, CLM -> new Record(text(n, "text", where), null, null, null, null, i + 1);
                case CLASSIFY -> {
                    // a pair trained as its first text alone would be a silently different model: the pairs task reads both
                    for (String second : new String[] {"text_pair", "text_b"}) {
                        if (n.hasNonNull(second)) {
                            throw new IllegalArgumentException(where + " has \"" + second + "\": a pair of texts, which the pairs task trains"
                                    + " (classify reads \"text\" alone)");
                        }
                    }
                    yield new Record(text(n, "text", where), null, label(n, where), i + 1);
                }
                case PAIRS -> n.has("text_a")
                        ? new Record(text(n, "text_a", where), text(n, "text_b", where), label(n, where), i + 1)
                        : new Record(text(n, "text", where), text(n, "text_pair", where), label(n, where), i + 1);
                case TAG -> {
                    List<String> words = strings(n, "tokens", where), tags = strings(n, n.has("tags") ? "tags" : "ner_tags", where);
                    if (words.size() != tags.size()) throw new IllegalArgumentException(where + ": " + words.size() + " tokens but " + tags.size() + " tags");
                    yield new Record(null, null, null, words, tags, i + 1);
                }
            });
        }
        return out;
    }

    /**
     * Jackson's reason for {@code e} as the end of a one-line message: " at column C: reason" (or " at line L, column C"
     * for a whole file), without its "[Source: REDACTED (`StreamReadFeature…` disabled)…]" locations, which name no
     * file and, for one line of JSON Lines, a line that is not the file's.
     */
    public static String jsonError(IOException e) {
        String reason = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        reason = String.valueOf(reason).lines().findFirst().orElse("").replaceAll(" ?\\(start marker at \\[Source: .*$", "")
                .replaceAll(" ?\\[Source: .*$", "").strip();
        String at = "";
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null && j.getLocation().getColumnNr() > 0) {
            var l = j.getLocation();
            at = l.getLineNr() > 1 ? " at line " + l.getLineNr() + ", column " + l.getColumnNr() : " at column " + l.getColumnNr();
        }
        return at + ": " + reason;
    }

    private static String text(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v != null && !v.isNull() && !v.isTextual()) {
            throw new IllegalArgumentException(where + ": \"" + key + "\" is " + v.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + v + ", not a string");
        }
        if (v == null || v.isNull()) throw new IllegalArgumentException(where + " has no text field \"" + key + "\"");
        return v.asText();
    }

    private static Label label(JsonNode n, String where) {
        JsonNode v = n.get("label");
        if (v == null || v.isNull() || v.isObject()) throw new IllegalArgumentException(where + " has no \"label\"");
        if (v.isTextual()) return new Label(LabelKind.NAME, v.asText(), null, null);
        if (v.isIntegralNumber()) return new Label(LabelKind.INTEGER, v.asText(), null, new float[] {finite(v, where)});
        if (v.isNumber()) return new Label(LabelKind.NUMBER, null, null, new float[] {finite(v, where)});
        if (!v.isArray()) throw new IllegalArgumentException(where + ": \"label\": " + v + " is not a name, a number or a list");
        boolean names = true, numbers = true;
        for (JsonNode x : v) {
            names &= x.isTextual();
            numbers &= x.isNumber();
        }
        if (names) {        // also [], a multi-label example with none of the labels
            List<String> out = new ArrayList<>();
            v.forEach(x -> out.add(x.asText()));
            return new Label(LabelKind.NAMES, null, List.copyOf(out), null);
        }
        if (!numbers) throw new IllegalArgumentException(where + ": \"label\": " + v + " mixes names and numbers (a list of label names, or a list of numbers)");
        float[] values = new float[v.size()];
        for (int j = 0; j < values.length; j++) values[j] = finite(v.get(j), where);
        return new Label(LabelKind.NUMBERS, null, null, values);
    }

    /** A label number as float; NaN, an infinity or a number beyond float's range is a one-line error. */
    private static float finite(JsonNode v, String where) {
        double d = v.asDouble();
        if (!Double.isFinite(d) || !Float.isFinite((float) d)) throw new IllegalArgumentException(where + ": label " + v.asText() + " is not a finite number");
        return (float) d;
    }

    /**
     * The kind of label of a classify/pairs file (null for another task's records): a file holds one kind, integers
     * going with names or with numbers. The first line of another kind is a one-line error naming it and {@code file}.
     */
    public static LabelKind labelKind(List<Record> records, Path file) {
        Record first = null, integer = null;
        for (Record r : records) {
            if (r.kind() == null) continue;
            if (r.kind() == LabelKind.INTEGER) {
                if (integer == null) integer = r;
                if (first == null || first.kind() == LabelKind.NAME || first.kind() == LabelKind.NUMBER) continue;
                throw mixed(r, first, file);
            }
            if (first == null) {
                first = r;
                if (integer != null && first.kind() != LabelKind.NAME && first.kind() != LabelKind.NUMBER) throw mixed(first, integer, file);
            } else if (r.kind() != first.kind()) {
                throw mixed(r, first, file);
            }
        }
        if (first == null) return integer == null ? null : LabelKind.INTEGER;
        if (first.kind() == LabelKind.NUMBERS) {
            for (Record r : records) {
                if (r.values().length != first.values().length) {
                    throw new IllegalArgumentException("line " + r.line() + " of " + file + ": \"label\" has " + r.values().length + " numbers but line "
                            + first.line() + "'s has " + first.values().length);
                }
            }
        }
        return first.kind();
    }

    private static IllegalArgumentException mixed(Record r, Record other, Path file) {
        return new IllegalArgumentException("line " + r.line() + " of " + file + ": \"label\" is " + r.kind().description() + " but line " + other.line()
                + "'s is " + other.kind().description() + " (a file's labels are all names, all numbers, or all lists of names)");
    }

    private static List<String> strings(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null || !v.isArray()) throw new IllegalArgumentException(where + " has no list \"" + key + "\"");
        List<String> out = new ArrayList<>();
        v.forEach(x -> out.add(x.asText()));
        return out;
    }

    /** The labels the records use, sorted (a label map built from the training file). */
    public static List<String> labels(List<Record> records) {
        TreeSet<String> s = new TreeSet<>();
        for (Record r : records) {
            if (r.label() != null) s.add(r.label());
            if (r.names() != null) s.addAll(r.names());
            if (r.tags() != null) s.addAll(r.tags());
        }
        return List.copyOf(s);
    }

    /**
     * How records become sequences.
     *
     * @param maxLength  the model's position limit, special tokens included
     * @param truncate   cut longer sequences (with one warning saying how many) instead of refusing them
     * @param blocks     mlm/clm plain text: run the lines together and cut into blocks of {@code maxLength}
     */
    public record Tokenization(Tokenizer tokenizer, int maxLength, boolean truncate, boolean blocks) {}

    /**
     * Tokenizes {@code records} for {@code objective}; labels through {@code labels} (null for mlm/clm). {@code warn}
     * receives one line when sequences were truncated; {@code where} names the file in messages.
     */
    public static List<Sequence> tokenize(List<Record> records, Objective objective, LabelMap labels, Tokenization t, String where, Consumer<String> warn) {
        return tokenize(records, objective, labels, ProblemType.SINGLE_LABEL_CLASSIFICATION, t, where, warn);
    }

    /**
     * As above for a sequence classifier of {@code problem}: single-label takes names (class ids through
     * {@code labels}), regression numbers ({@code labels.size()} per example: the targets), multi-label lists of names
     * (multi-hot targets through {@code labels}). A label of another kind is a one-line error naming the line.
     */
    public static List<Sequence> tokenize(List<Record> records, Objective objective, LabelMap labels, ProblemType problem, Tokenization t, String where,
                                          Consumer<String> warn) {
        List<Sequence> out = new ArrayList<>();
        if (t.blocks() && !objective.labelled()) return blocks(records, t);
        int truncated = 0, firstLine = 0;
        for (Record r : records) {
            Encoding full = r.words() != null ? t.tokenizer().encode(String.join(" ", r.words()), Integer.MAX_VALUE, false)
                    : r.pair() != null ? t.tokenizer().encodePair(r.text(), r.pair(), Integer.MAX_VALUE, false)
                    : t.tokenizer().encode(r.text(), Integer.MAX_VALUE, false);
            Encoding e = full;
            if (full.length() > t.maxLength()) {
                if (!t.truncate()) {
                    throw new IllegalArgumentException("line " + r.line() + " of " + where + " has " + full.length() + " tokens, over the model's limit of "
                            + t.maxLength() + " (without --no-truncate it is cut)");
                }
                if (truncated++ == 0) firstLine = r.line();
                e = r.pair() != null ? t.tokenizer().encodePair(r.text(), r.pair(), t.maxLength(), true) : t.tokenizer().encode(r.words() != null
                        ? String.join(" ", r.words()) : r.text(), t.maxLength(), true);
            }
            String at = "line " + r.line() + " of " + where;
            boolean sequenceLabel = objective == Objective.CLASSIFY || objective == Objective.PAIRS;
            if (sequenceLabel) requireFits(List.of(r), problem, labels.size(), where);
            float[] targets = !sequenceLabel || problem == ProblemType.SINGLE_LABEL_CLASSIFICATION ? null : targets(r, labels, problem, at);
            int[] lab = switch (objective) {
                case CLASSIFY, PAIRS -> targets != null ? null : new int[] {labels.id(r.label(), at)};
                case TAG -> tagLabels(r, e, labels, where);
                case MLM, CLM -> null;
            };
            out.add(sequence(e, lab, r.line(), targets));
        }
        if (truncated > 0) {
            warn.accept("warning: " + truncated + " sequence(s) of " + where + " longer than " + t.maxLength() + " tokens were truncated (the first on line " + firstLine + ")");
        }
        return out;
    }

    /**
     * The tag of each word on its first piece (the first token whose text, past any leading space, starts where the
     * word starts), −100 on every other token. A piece's offsets may begin on the space before its word (SentencePiece's
     * "▁mo", a byte-level "Ġm" without trimmed offsets): that space is skipped, or the tag would move to the word's
     * second piece (and a one-piece word lose it). A lone space piece before a word ("▁", "Ġ") is its first piece, as
     * transformers' word_ids() counts it.
     */
    private static int[] tagLabels(Record r, Encoding e, LabelMap labels, String where) {
        int[] lab = new int[e.length()];
        Arrays.fill(lab, CrossEntropy.IGNORE_INDEX);
        String text = String.join(" ", r.words());
        int pos = 0, token = 0;
        for (int w = 0; w < r.words().size(); w++) {
            int id = labels.id(r.tags().get(w), "line " + (r.columns() ? r.line() + w : r.line()) + " of " + where);
            while (token < e.length() && (e.special()[token] || contentStart(text, e, token) < pos)) token++;
            if (token < e.length() && e.start()[token] < pos + r.words().get(w).length()) lab[token] = id;   // a word may have no tokens
            pos += r.words().get(w).length() + 1;
        }
        return lab;
    }

    /** Where token {@code i}'s text begins past the whitespace its offsets may start with (its end if it is all space). */
    private static int contentStart(String text, Encoding e, int i) {
        int c = e.start()[i], end = Math.min(e.end()[i], text.length());
        while (c < end && Character.isWhitespace(text.charAt(c))) c++;
        return c;
    }

    /**
     * Each record's label of a kind a sequence classifier of {@code problem} with {@code outputs} outputs takes, or a
     * one-line error naming the first other one's line of {@code where}.
     */
    public static void requireFits(List<Record> records, ProblemType problem, int outputs, String where) {
        for (Record r : records) {
            if (r.kind() == null || r.kind().fits(problem)) continue;
            throw new IllegalArgumentException("line " + r.line() + " of " + where + ": \"label\" is " + r.kind().description() + " but the model is for "
                    + problem.id() + " (" + switch (problem) {
                        case SINGLE_LABEL_CLASSIFICATION -> "one label name per text";
                        case MULTI_LABEL_CLASSIFICATION -> "a list of label names per text";
                        case REGRESSION -> outputs == 1 ? "a number per text" : "a list of " + outputs + " numbers per text";
                    } + ")");
        }
    }

    /** A regression example's values (one per output) or a multi-label example's multi-hot row over {@code labels}. */
    private static float[] targets(Record r, LabelMap labels, ProblemType problem, String at) {
        if (problem == ProblemType.REGRESSION) {
            if (r.values().length != labels.size()) {
                throw new IllegalArgumentException(at + ": \"label\" has " + r.values().length + " number(s) but the model has " + labels.size() + " outputs");
            }
            return r.values().clone();
        }
        float[] hot = new float[labels.size()];
        for (String name : r.names()) hot[labels.id(name, at)] = 1f;
        return hot;
    }

    private static Sequence sequence(Encoding e, int[] labels, int line, float[] targets) {
        boolean[] start = new boolean[e.length()];
        for (int i = 0; i < start.length; i++) start[i] = !e.tokens()[i].startsWith("##");
        return new Sequence(e.ids(), e.typeIds(), e.special(), start, labels, line, targets);
    }

    private static List<Sequence> blocks(List<Record> records, Tokenization t) {
        Tokenizer tok = t.tokenizer();
        List<Integer> ids = new ArrayList<>();
        List<Boolean> starts = new ArrayList<>();
        for (Record r : records) {
            Encoding e = tok.encode(r.text(), Integer.MAX_VALUE, false);
            for (int i = 0; i < e.length(); i++) {
                if (e.special()[i]) continue;
                ids.add(e.ids()[i]);
                starts.add(!e.tokens()[i].startsWith("##"));
            }
        }
        List<Sequence> out = new ArrayList<>();
        int block = t.maxLength() - 2;
        for (int from = 0; from < ids.size(); from += block) {
            int n = Math.min(block, ids.size() - from) + 2;
            int[] b = new int[n];
            boolean[] special = new boolean[n], start = new boolean[n];
            b[0] = tok.clsId();
            b[n - 1] = tok.sepId();
            special[0] = special[n - 1] = start[0] = start[n - 1] = true;
            for (int i = 1; i < n - 1; i++) {
                b[i] = ids.get(from + i - 1);
                start[i] = starts.get(from + i - 1);
            }
            out.add(new Sequence(b, new int[n], special, start, null, out.size() + 1));
        }
        return out;
    }
}
