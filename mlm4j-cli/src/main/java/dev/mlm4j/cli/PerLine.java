package dev.mlm4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.tokens.TooLongException;
import dev.mlm4j.util.Progress;
import dev.mlm4j.util.ProgressListener;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The flow every per-line command shares (fill-mask, classify, ner; similarity and embed, whose output is their own,
 * use {@link #check}/{@link #errors} and {@link #warning}), so that a new command ({@code answer}, {@code rerank}, {@code zero-shot}, …) gets the same
 * input policy, error records, JSON shape, progress bar and warning by writing only what is its own:
 * <pre>{@code
 * List<Inputs.Line> lines = job.lines(texts);                  // input errors before the model loads (job: CommonOptions.TextJob)
 * QuestionAnswering pipeline = Models.questionAnswering(model.name, null, job.precision());
 * PerLine.Checked in = job.check(lines, (line, position) -> pipeline.check(line.text(), options));
 * in.requireUsable("no line can be answered");
 * PerLine.Results<Answer> out = in.compute("answering", usable -> pipeline.answer(usable, options));
 * out.print(job.json(), (position, answer, alone) -> answer.toMap(), true, (sb, answer) -> sb.append("  ").append(answer.text()).append('\n'));
 * out.warnIfAny("answers");
 * }</pre>
 * <ol>
 *   <li>{@link Inputs#read}, then {@link #check}: the texts from the arguments, {@code --file} or standard input (a blank
 *       argument and an input with no non-blank line are errors there), each checked before anything runs: a blank line gets
 *       {@value Inputs#EMPTY_LINE}, a line the check refuses (an {@link IllegalArgumentException}; a too-long text with
 *       the hint to use --truncate) gets that reason as its error record; the same on an argument fails the whole job.</li>
 *   <li>{@link Checked#requireUsable}: the one-line error when no line is usable.</li>
 *   <li>{@link Checked#compute}: the usable texts run in chunks of {@value #CHUNK} (one chunk, as one call, for small
 *       inputs), with a progress bar on stderr ({@link Progress}) when a {@code --file} holds more than one chunk.</li>
 *   <li>{@link Results#print}: JSON (Hugging Face's shape for one text; a list with one entry per line, an error line
 *       {@code {"line": N, "error": "…"}}, for several) or a table (each line's text, then its result or
 *       {@code "  error: …"}); then {@link Results#warnIfAny}: one warning on stderr with the count and the first bad line.</li>
 * </ol>
 */
final class PerLine {
    private PerLine() {}

    /** Texts per pipeline call: bounds the memory of a large file and gives the progress bar its steps. */
    static final int CHUNK = 64;

    /** Refuses a non-blank text the command cannot use, with an {@link IllegalArgumentException} saying why. */
    @FunctionalInterface
    interface Check {
        /** @param position the text's index in the input (for an argument: its index among the arguments) */
        void check(Inputs.Line line, int position);
    }

    /** The input ({@link Inputs#read}, from {@code file} if given) with every line {@link #errors checked}. */
    static Checked check(List<Inputs.Line> input, Path file, Check check) {
        return new Checked(input, errors(input, check), file);
    }

    /**
     * Every line checked: position → why it cannot be used, in input order. A blank line is {@value Inputs#EMPTY_LINE};
     * a refused argument throws (the job fails), a refused line of a file or standard input gets its reason.
     */
    static Map<Integer, String> errors(Iterable<Inputs.Line> input, Check check) {
        Map<Integer, String> errors = new TreeMap<>();
        int position = 0;
        for (Inputs.Line l : input) {
            try {
                if (l.blank()) throw new IllegalArgumentException(Inputs.EMPTY_LINE);
                check.check(l, position);
            } catch (IllegalArgumentException e) {
                String why = e instanceof TooLongException t ? t.withHint("use --truncate") : e.getMessage();
                if (l.fromArgument()) throw new IllegalArgumentException(why, e);
                errors.put(position, why);
            }
            position++;
        }
        return errors;
    }

    /** The warning line for {@code errors} of {@code total} records: {@code "mlm4j: warning: 2 of 4 lines have … (line 2: empty line, …)"}. */
    static String warning(int errors, int total, String what, String first) {
        return "mlm4j: warning: " + errors + " of " + total + " " + what + " (" + first + (errors > 1 ? ", …" : "") + ")";
    }

    /** The input with each line's error, if it has one. */
    record Checked(List<Inputs.Line> input, Map<Integer, String> errors, Path file) {

        boolean usable(int position) {
            return !errors.containsKey(position);
        }

        /** The usable texts, in order. */
        List<String> usableTexts() {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < input.size(); i++) if (usable(i)) out.add(input.get(i).text());
            return out;
        }

        /** The first error as {@code "line N: why"}. */
        String firstError() {
            int first = errors.keySet().iterator().next();
            return "line " + input.get(first).number() + ": " + errors.get(first);
        }

        /** Fails the job when no line is usable: {@code "<noneUsable> (line N: why)"}, or that every line is empty. */
        void requireUsable(String noneUsable) {
            if (errors.size() < input.size()) return;
            boolean allBlank = errors.values().stream().allMatch(Inputs.EMPTY_LINE::equals);
            throw new IllegalArgumentException(allBlank ? "no input text: every line is empty" : noneUsable + " (" + firstError() + ")");
        }

        /**
         * Runs the usable texts through {@code run} ({@value #CHUNK} at a time; result i of a call belongs to its text i),
         * everything before anything is printed. {@code doing} labels the progress bar ("filling", "classifying", …).
         */
        <R> Results<R> compute(String doing, Function<List<Integer>, List<R>> run) {
            List<Integer> usable = new ArrayList<>();
            long[] bytes = new long[input.size() + 1];                  // bytes[i]: how far into the file line i starts
            for (int i = 0; i < input.size(); i++) {
                if (usable(i)) usable.add(i);
                bytes[i + 1] = bytes[i] + input.get(i).text().getBytes(StandardCharsets.UTF_8).length + 1;
            }
            boolean showProgress = file != null && !file.toString().equals("-") && usable.size() > CHUNK;
            ProgressListener progress = showProgress ? Progress.stderr() : ProgressListener.NONE;
            List<R> results = new ArrayList<>(Collections.nCopies(input.size(), null));
            try {
                if (showProgress) progress.start(doing + " " + file.getFileName() + ": " + usable.size() + " texts", bytes[input.size()]);
                for (int from = 0; from < usable.size(); from += CHUNK) {
                    List<Integer> chunk = usable.subList(from, Math.min(usable.size(), from + CHUNK));
                    List<R> done = run.apply(chunk);
                    for (int k = 0; k < chunk.size(); k++) results.set(chunk.get(k), done.get(k));
                    progress.update(bytes[chunk.getLast() + 1]);
                }
            } finally {
                progress.finish();
            }
            return new Results<>(this, results);
        }

        /** {@link #compute} for a pipeline that takes the texts themselves. */
        <R> Results<R> computeTexts(String doing, Function<List<String>, List<R>> run) {
            return compute(doing, positions -> run.apply(positions.stream().map(p -> input.get(p).text()).toList()));
        }
    }

    /** One entry of the JSON reply. */
    @FunctionalInterface
    interface JsonEntry<R> {
        /** @param alone whether this is the reply's only entry (Hugging Face's reply for one input, not a list of one) */
        Object shape(int position, R result, boolean alone);
    }

    /** What the table shows under a line's text for its result. */
    @FunctionalInterface
    interface TableEntry<R> {
        void append(StringBuilder sb, R result);
    }

    /** Each line's result ({@code null} where it has an error). */
    record Results<R>(Checked checked, List<R> results) {

        /** The JSON reply: one input → its entry alone; several → a list, an error record in place of each bad line. */
        Object json(JsonEntry<R> entry) {
            List<Inputs.Line> input = checked.input();
            boolean alone = input.size() == 1 && checked.usable(0);
            if (alone) return entry.shape(0, results.getFirst(), true);
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < input.size(); i++) {
                if (checked.usable(i)) {
                    out.add(entry.shape(i, results.get(i), false));
                } else {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("line", input.get(i).number());
                    e.put("error", checked.errors().get(i));
                    out.add(e);
                }
            }
            return out;
        }

        /** The table: each line's text (with {@code "line N: "} for a line of a file), then its result or its error. */
        String table(boolean blankLineBetween, TableEntry<R> entry) {
            List<Inputs.Line> input = checked.input();
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < input.size(); i++) {
                if (blankLineBetween && i > 0) sb.append('\n');
                Inputs.Line line = input.get(i);
                sb.append(line.fromArgument() ? "" : "line " + line.number() + ": ").append(line.text()).append('\n');
                if (checked.usable(i)) {
                    entry.append(sb, results.get(i));
                } else {
                    sb.append("  error: ").append(checked.errors().get(i)).append('\n');
                }
            }
            return sb.toString();
        }

        /** Prints the JSON reply (pretty) or the table on standard output. */
        void print(boolean json, JsonEntry<R> jsonEntry, boolean blankLineBetween, TableEntry<R> tableEntry) throws JsonProcessingException {
            if (json) {
                System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json(jsonEntry)));
            } else {
                System.out.print(table(blankLineBetween, tableEntry));
            }
        }

        /** The warning on stderr when some lines have an error: {@code "… lines have an error instead of <insteadOf> (line N: why, …)"}. */
        void warnIfAny(String insteadOf) {
            if (checked.errors().isEmpty()) return;
            System.err.println(warning(checked.errors().size(), checked.input().size(), "lines have an error instead of " + insteadOf,
                    checked.firstError()));
        }
    }
}
