package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.pipelines.FillMask;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.tokens.TooLongException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

@Command(name = "fill-mask",
        mixinStandardHelpOptions = true,
        description = {
                "Predicts the word behind each [MASK] from the words on both sides of it.",
                "Example: ./mlm4j fill-mask \"Paris is the [MASK] of France.\"",
                "Texts come from the arguments, from --file (one per line), or from standard input. Every line gets one result, in order;"
                        + " a blank or unusable line (no [MASK], too long) gets an error in its place (--json: {\"line\": N, \"error\": \"…\"})"
                        + " and a warning on stderr, and the exit status stays 0. A blank or unusable argument is an error.",
                "--json prints Hugging Face's fill-mask JSON (score, token, token_str, sequence)."
        })
final class FillMaskCommand implements Callable<Integer> {

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts containing [MASK].")
    List<String> texts;

    @Mixin
    CommonOptions.MaskedLmModel model;

    @Option(names = {"-k", "--top-k"}, defaultValue = "5", description = "Candidates per mask (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--targets", split = ",", paramLabel = "WORD,…", description = "Score only these candidate words.")
    List<String> targets;

    @Option(names = "--causal", description = "Run every layer with the causal mask (each token sees only its left), to see what the right-hand context was worth.")
    boolean causal;

    @Mixin
    CommonOptions.Int8 int8;

    @Option(names = "--truncate", description = "Cut texts longer than the model's maximum instead of failing.")
    boolean truncate;

    @Mixin
    CommonOptions.TextFile file;

    @Mixin
    CommonOptions.Json json;

    @Override
    public Integer call() throws Exception {
        List<Inputs.Line> input = Inputs.read(texts, file.path);
        FillMask.Options options = new FillMask.Options(topK, targets, causal, truncate);
        FillMask pipeline = Models.fillMask(model.name, null, int8.precision());
        // as Hugging Face's pipeline warns when a target is not a vocabulary token
        for (String w : pipeline.targetWarnings(options.targets())) System.err.println("mlm4j: warning: " + w);

        // Every text checked first. A bad argument fails the job; a blank or unusable line of a file or standard input
        // gets an error record in its place (see Inputs), and a warning on stderr at the end.
        List<String> usable = new ArrayList<>();
        Map<Integer, String> errors = new TreeMap<>();
        for (int i = 0; i < input.size(); i++) {
            Inputs.Line l = input.get(i);
            try {
                if (l.blank()) throw new IllegalArgumentException(Inputs.EMPTY_LINE);
                pipeline.check(l.text(), options);
                usable.add(l.text());
            } catch (IllegalArgumentException e) {
                String why = e instanceof TooLongException t ? t.withHint("use --truncate") : e.getMessage();
                if (l.fromArgument()) throw new IllegalArgumentException(why, e);
                errors.put(i, why);
            }
        }
        if (usable.isEmpty()) {
            boolean allBlank = errors.values().stream().allMatch(Inputs.EMPTY_LINE::equals);
            int first = errors.keySet().iterator().next();
            throw new IllegalArgumentException(allBlank ? "no input text: every line is empty"
                    : "no line can be filled (line " + input.get(first).number() + ": " + errors.get(first) + ")");
        }
        List<List<FillMask.MaskResult>> filled = pipeline.fill(usable, options);   // everything computed before printing
        List<List<FillMask.MaskResult>> results = new ArrayList<>();
        for (int i = 0, u = 0; i < input.size(); i++) results.add(errors.containsKey(i) ? null : filled.get(u++));
        if (json.on) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(jsonShape(input, results, errors)));
        } else {
            System.out.print(table(input, results, errors));
        }
        if (!errors.isEmpty()) {
            int first = errors.keySet().iterator().next();
            System.err.println("mlm4j: warning: " + errors.size() + " of " + input.size() + " lines have an error instead of predictions (line "
                    + input.get(first).number() + ": " + errors.get(first) + (errors.size() > 1 ? ", …" : "") + ")");
        }
        return 0;
    }

    /**
     * Hugging Face's shape ({@link FillMask#huggingFaceShape}): entry i belongs to input i (line i + 1 of a file), and a
     * line that could not be filled is {@code {"line": n, "error": "…"}} in its place.
     */
    static Object jsonShape(List<Inputs.Line> input, List<List<FillMask.MaskResult>> results, Map<Integer, String> errors) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < input.size(); i++) {
            if (errors.containsKey(i)) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("line", input.get(i).number());
                e.put("error", errors.get(i));
                out.add(e);
            } else {
                out.add(FillMask.huggingFaceShape(List.of(results.get(i))));
            }
        }
        return out.size() == 1 ? out.getFirst() : out;
    }

    static String table(List<Inputs.Line> input, List<List<FillMask.MaskResult>> results, Map<Integer, String> errors) {
        StringBuilder sb = new StringBuilder();
        for (int t = 0; t < input.size(); t++) {
            if (t > 0) sb.append('\n');
            Inputs.Line line = input.get(t);
            sb.append(line.fromArgument() ? "" : "line " + line.number() + ": ").append(line.text()).append('\n');
            if (errors.containsKey(t)) {
                sb.append("  error: ").append(errors.get(t)).append('\n');
                continue;
            }
            List<FillMask.MaskResult> masks = results.get(t);
            for (int m = 0; m < masks.size(); m++) {
                if (masks.size() > 1) sb.append("  [MASK] #").append(m + 1).append('\n');
                int width = 5;
                for (FillMask.Prediction p : masks.get(m).predictions()) width = Math.max(width, p.tokenStr().codePointCount(0, p.tokenStr().length()));
                int rank = 1;
                for (FillMask.Prediction p : masks.get(m).predictions()) {
                    String tok = p.tokenStr();
                    int pad = width - tok.codePointCount(0, tok.length());
                    sb.append(String.format(Locale.ROOT, "  %2d. %s%s  %.4f  %s%n", rank++, tok, " ".repeat(pad), p.score(), p.sequence()));
                }
            }
        }
        return sb.toString();
    }
}
