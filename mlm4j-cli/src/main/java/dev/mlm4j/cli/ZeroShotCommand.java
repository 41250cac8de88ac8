package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.ZeroShotClassification;
import dev.mlm4j.util.Progress;
import dev.mlm4j.util.ProgressListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "zero-shot",
        mixinStandardHelpOptions = true,
        description = {
                "Classifies texts into labels chosen at run time with an NLI model, as Hugging Face's zero-shot-classification pipeline.",
                "The model: a natural-language-inference classifier, a Hugging Face folder whose config.json names"
                        + " BertForSequenceClassification with an \"entailment\" label.",
                "Example: ./mlm4j zero-shot -m ./my-nli-model --labels sports,politics,technology \"The team won the final.\"",
                "Each label becomes a hypothesis (--template, default \"This example is {}.\") and the model scores how much the text"
                        + " entails it: by default the labels compete (softmax of the entailment logits); with --multi-label each is"
                        + " scored on its own (entailment against contradiction). Texts longer than the model's maximum are truncated.",
                "Texts come from the arguments, from --file (one per line, one result per line) or from standard input; a blank line"
                        + " gets an error in its place (--json: {\"line\": N, \"error\": \"…\"}) and a warning on stderr.",
                "--json prints Hugging Face's reply: {\"sequence\", \"labels\", \"scores\"}, labels sorted by score; a list of those for several texts."
        })
final class ZeroShotCommand implements Callable<Integer> {

    private static final int TEXTS_PER_STEP = 8;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to classify.")
    List<String> texts;

    @Option(names = {"-m", "--model"}, paramLabel = "<model>", required = true,
            description = "An NLI model: a sequence-classification folder (or name) whose labels include entailment.")
    String model;

    @Option(names = {"-l", "--labels"}, paramLabel = "A,B,…", required = true,
            description = "The candidate labels, comma-separated (Hugging Face's candidate_labels: each stripped, empty ones dropped).")
    String labels;

    @Option(names = {"-t", "--template"}, paramLabel = "TEMPLATE",
            description = "The hypothesis, with {} where the label goes (Hugging Face's hypothesis_template). Default: \"This example is {}.\"")
    String template;

    @Option(names = "--multi-label", description = "Labels can all be true: each scored independently (Hugging Face's multi_label).")
    boolean multiLabel;

    @Mixin
    CommonOptions.Int8 int8;

    @Mixin
    CommonOptions.TextFile file;

    @Mixin
    CommonOptions.Json json;

    @Override
    public Integer call() throws Exception {
        List<String> candidates = ZeroShotClassification.parseLabels(labels);
        if (candidates.isEmpty()) throw new IllegalArgumentException("--labels is empty: give at least one label, e.g. --labels sports,politics");
        ZeroShotClassification.Options options = ZeroShotClassification.Options.DEFAULT.withMultiLabel(multiLabel);
        if (template != null) options = options.withTemplate(template);
        ZeroShotClassification.hypotheses(candidates, options);   // the template is checked before any text is read
        List<Inputs.Line> lines = Inputs.read(texts, file.path);
        ZeroShotClassification pipeline = Models.zeroShotClassification(model, null, int8.precision());

        boolean fromFile = file.path != null && !file.path.toString().equals("-");
        ProgressListener progress = fromFile && lines.size() > TEXTS_PER_STEP ? Progress.stderr() : ProgressListener.NONE;
        List<ZeroShotClassification.Result> results = new ArrayList<>();
        int errors = 0, firstError = -1;
        long bytes = 0;
        progress.start("zero-shot " + (fromFile ? file.path.getFileName() : "") + ": " + lines.size() + " lines, " + candidates.size() + " labels",
                fromFile ? Files.size(file.path) : -1);
        try {
            for (int from = 0; from < lines.size(); from += TEXTS_PER_STEP) {
                List<Inputs.Line> step = lines.subList(from, Math.min(lines.size(), from + TEXTS_PER_STEP));
                List<String> usable = new ArrayList<>();
                for (Inputs.Line l : step) {
                    if (!l.blank()) usable.add(l.text());
                    bytes += l.text().getBytes(StandardCharsets.UTF_8).length + 1;
                }
                List<ZeroShotClassification.Result> done = usable.isEmpty() ? List.of() : pipeline.classify(usable, candidates, options);
                int u = 0;
                for (Inputs.Line l : step) {
                    if (l.blank()) {
                        results.add(null);
                        if (errors++ == 0) firstError = l.number();
                    } else {
                        results.add(done.get(u++));
                    }
                }
                progress.update(bytes);
            }
        } finally {
            progress.finish();
        }
        if (json.on) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(jsonShape(lines, results)));
        } else {
            System.out.print(table(lines, results));
        }
        if (errors > 0) {
            System.err.println("mlm4j: warning: " + errors + " of " + lines.size() + " lines have an error instead of labels (line "
                    + firstError + ": " + Inputs.EMPTY_LINE + ")");
        }
        return 0;
    }

    /** Hugging Face's shape: one text → its {@code {"sequence","labels","scores"}}; several → a list of them (a blank line: an error record). */
    static Object jsonShape(List<Inputs.Line> lines, List<ZeroShotClassification.Result> results) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (results.get(i) == null) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("line", lines.get(i).number());
                e.put("error", Inputs.EMPTY_LINE);
                out.add(e);
            } else {
                out.add(results.get(i).toMap());
            }
        }
        return out.size() == 1 ? out.getFirst() : out;
    }

    static String table(List<Inputs.Line> lines, List<ZeroShotClassification.Result> results) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            Inputs.Line line = lines.get(i);
            sb.append(line.fromArgument() ? "" : "line " + line.number() + ": ").append(line.text()).append('\n');
            ZeroShotClassification.Result r = results.get(i);
            if (r == null) {
                sb.append("  error: ").append(Inputs.EMPTY_LINE).append('\n');
                continue;
            }
            int width = 5;
            for (String l : r.labels()) width = Math.max(width, l.codePointCount(0, l.length()));
            for (int j = 0; j < r.labels().size(); j++) {
                String l = r.labels().get(j);
                sb.append("  ").append(l).append(" ".repeat(width - l.codePointCount(0, l.length())))
                        .append(String.format(Locale.ROOT, "  %.4f%n", r.scores().get(j)));
            }
        }
        return sb.toString();
    }
}
