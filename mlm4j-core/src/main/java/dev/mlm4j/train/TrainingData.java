package dev.mlm4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * {@code {"text"}} (mlm, clm); chosen by the {@code .jsonl} / {@code .json} extension;</li>
 * <li>CoNLL-style columns for tag: a token in the first column, its tag in the last, a blank line between sentences,
 * {@code -DOCSTART-} lines skipped;</li>
 * <li>plain text for mlm and clm: one sequence per non-blank line, or (blocks) every line's tokens run together and
 * cut into blocks of the model's maximum length, as transformers' {@code run_mlm}'s {@code group_texts} does.</li>
 * </ul>
 * A malformed line is a one-line error naming the file and line.
 */
public final class TrainingData {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainingData() {}

    /**
     * One example as read: text (and pair), a label, or words and their tags; {@code line} is 1-based (a CoNLL
     * sentence's first line: its word w is on {@code line + w}, {@code columns}).
     */
    public record Record(String text, String pair, String label, List<String> words, List<String> tags, int line, boolean columns) {
        Record(String text, String pair, String label, List<String> words, List<String> tags, int line) {
            this(text, pair, label, words, tags, line, false);
        }
    }

    /** Reads {@code file} for {@code objective}; an empty file (no examples) is refused. */
    public static List<Record> read(Path file, Objective objective) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no such file: " + file);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        String name = file.getFileName().toString();
        boolean json = name.endsWith(".jsonl") || name.endsWith(".json");
        List<Record> out = json ? jsonLines(lines, file, objective)
                : switch (objective) {
                    case TAG -> conll(lines);
                    case MLM, CLM -> plain(lines);
                    case CLASSIFY, PAIRS -> throw new IllegalArgumentException(file + ": " + objective.id() + " reads JSON Lines (.jsonl) with \"text\" and \"label\"");
                };
        if (out.isEmpty()) throw new IllegalArgumentException("training file " + file + " has no examples");
        return out;
    }

    private static List<Record> plain(List<String> lines) {
        List<Record> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) if (!lines.get(i).isBlank()) out.add(new Record(lines.get(i).strip(), null, null, null, null, i + 1));
        return out;
    }

    private static List<Record> conll(List<String> lines) {
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
            if (cols.length < 2) throw new IllegalArgumentException("line " + (i + 1) + ": expected a token and a tag separated by whitespace, got '" + l + "'");
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
                throw new IllegalArgumentException(where + " is not JSON: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            }
            if (n == null || !n.isObject()) throw new IllegalArgumentException(where + " is not a JSON object");
            out.add(switch (objective) {
                case MLM, CLM -> new Record(text(n, "text", where), null, null, null, null, i + 1);
                case CLASSIFY -> new Record(text(n, "text", where), null, label(n, where), null, null, i + 1);
                case PAIRS -> n.has("text_a")
                        ? new Record(text(n, "text_a", where), text(n, "text_b", where), label(n, where), null, null, i + 1)
                        : new Record(text(n, "text", where), text(n, "text_pair", where), label(n, where), null, null, i + 1);
                case TAG -> {
                    List<String> words = strings(n, "tokens", where), tags = strings(n, n.has("tags") ? "tags" : "ner_tags", where);
                    if (words.size() != tags.size()) throw new IllegalArgumentException(where + ": " + words.size() + " tokens but " + tags.size() + " tags");
                    yield new Record(null, null, null, words, tags, i + 1);
                }
            });
        }
        return out;
    }

    private static String text(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual()) throw new IllegalArgumentException(where + " has no text field \"" + key + "\"");
        return v.asText();
    }

    private static String label(JsonNode n, String where) {
        JsonNode v = n.get("label");
        if (v == null || v.isNull() || v.isContainerNode()) throw new IllegalArgumentException(where + " has no \"label\"");
        return v.asText();
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
            int[] lab = switch (objective) {
                case CLASSIFY, PAIRS -> new int[] {labels.id(r.label(), "line " + r.line() + " of " + where)};
                case TAG -> tagLabels(r, e, labels, where);
                case MLM, CLM -> null;
            };
            out.add(sequence(e, lab, r.line()));
        }
        if (truncated > 0) {
            warn.accept("warning: " + truncated + " sequence(s) of " + where + " longer than " + t.maxLength() + " tokens were truncated (the first on line " + firstLine + ")");
        }
        return out;
    }

    /** The tag of each word on its first piece (the token starting where the word starts), −100 on every other token. */
    private static int[] tagLabels(Record r, Encoding e, LabelMap labels, String where) {
        int[] lab = new int[e.length()];
        Arrays.fill(lab, CrossEntropy.IGNORE_INDEX);
        int pos = 0, token = 0;
        for (int w = 0; w < r.words().size(); w++) {
            int id = labels.id(r.tags().get(w), "line " + (r.columns() ? r.line() + w : r.line()) + " of " + where);
            while (token < e.length() && (e.special()[token] || e.start()[token] < pos)) token++;
            if (token < e.length() && e.start()[token] < pos + r.words().get(w).length()) lab[token] = id;   // a word may have no tokens
            pos += r.words().get(w).length() + 1;
        }
        return lab;
    }

    private static Sequence sequence(Encoding e, int[] labels, int line) {
        boolean[] start = new boolean[e.length()];
        for (int i = 0; i < start.length; i++) start[i] = !e.tokens()[i].startsWith("##");
        return new Sequence(e.ids(), e.typeIds(), e.special(), start, labels, line);
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
