package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.TextClassification;
import dev.mlm4j.pipelines.TextClassification.Input;
import dev.mlm4j.pipelines.TextClassification.Label;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

@Command(name = "classify",
        mixinStandardHelpOptions = true,
        description = {
                "Classifies texts with a sequence-classification model (a Hugging Face folder whose config.json names"
                        + " BertForSequenceClassification: sentiment, topics, NLI, regression), as Hugging Face's text-classification pipeline.",
                "Example: ./mlm4j classify -m ./my-sentiment-model \"I loved this movie.\" --top-k all",
                "Texts come from the arguments, from --file (one per line), or from standard input; --pair TEXT makes each a"
                        + " (text, text_pair) pair. Scores: softmax over the labels, sigmoid (multi-label or one label) or the raw logits"
                        + " (regression), as config.json's problem_type says, unless --function. A blank or unusable line gets an error"
                        + " in its place (--json: {\"line\": N, \"error\": \"…\"}) and a warning on stderr; a bad argument is an error.",
                "--json prints Hugging Face's reply: without --top-k [{\"label\",\"score\"}] for a text (a bare {\"label\",\"score\"}"
                        + " for a pair); with --top-k the best K (or all) sorted by score; a list of those for several texts."
        })
final class ClassifyCommand implements Callable<Integer> {

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to classify.")
    List<String> texts;

    @Option(names = {"-m", "--model"}, paramLabel = "<model>", required = true,
            description = "A sequence-classification model: folder (or name).")
    String model;

    @Option(names = {"-k", "--top-k"}, paramLabel = "K|all",
            description = "Labels per text, best first: a number, or 'all' (Hugging Face's top_k=None). Default: the best label only.")
    String topK;

    @Option(names = "--function", paramLabel = "softmax|sigmoid|none",
            description = "The function over the logits (Hugging Face's function_to_apply). Default: from config.json's problem_type.")
    String function;

    @Option(names = "--pair", paramLabel = "TEXT", description = "Second text of a pair (text_pair) for every text, e.g. an NLI hypothesis.")
    String pair;

    @Mixin
    CommonOptions.Int8 int8;

    @Mixin
    CommonOptions.TextFile file;

    @Mixin
    CommonOptions.Json json;

    TextClassification.Options options() {
        TextClassification.Options o = TextClassification.Options.DEFAULT;
        if (topK != null) {
            if (topK.equalsIgnoreCase("all")) {
                o = o.withAllLabels();
            } else {
                int k;
                try {
                    k = Integer.parseInt(topK.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--top-k '" + topK + "' is neither a positive number nor 'all'");
                }
                if (k <= 0) throw new IllegalArgumentException("--top-k must be positive or 'all', got " + k);
                o = o.withTopK(k);
            }
        }
        if (function != null) o = o.withFunction(TextClassification.Function.of(function));
        return o;
    }

    @Override
    public Integer call() throws Exception {
        TextClassification.Options options = options();
        List<Inputs.Line> lines = Inputs.read(texts, file.path);
        TextClassification pipeline = Models.textClassification(model, null, int8.precision());
        List<Input> usable = new ArrayList<>();
        List<Input> inputs = new ArrayList<>();
        Map<Integer, String> errors = new TreeMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Inputs.Line l = lines.get(i);
            Input in = new Input(l.text(), pair);
            inputs.add(in);
            try {
                if (l.blank()) throw new IllegalArgumentException(Inputs.EMPTY_LINE);
                pipeline.check(in);
                usable.add(in);
            } catch (IllegalArgumentException e) {
                String why = e.getMessage().replaceFirst("^input 1 ", "the text ");
                if (l.fromArgument()) throw new IllegalArgumentException(why, e);
                errors.put(i, why);
            }
        }
        if (usable.isEmpty()) {
            int first = errors.keySet().iterator().next();
            throw new IllegalArgumentException("no line can be classified (line " + lines.get(first).number() + ": " + errors.get(first) + ")");
        }
        List<List<Label>> done = pipeline.classify(usable, options);
        List<List<Label>> results = new ArrayList<>();
        for (int i = 0, u = 0; i < lines.size(); i++) results.add(errors.containsKey(i) ? null : done.get(u++));
        if (json.on) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(jsonShape(lines, inputs, results, errors, options)));
        } else {
            System.out.print(table(lines, results, errors));
        }
        if (!errors.isEmpty()) {
            int first = errors.keySet().iterator().next();
            System.err.println("mlm4j: warning: " + errors.size() + " of " + lines.size() + " lines have an error instead of labels (line "
                    + lines.get(first).number() + ": " + errors.get(first) + (errors.size() > 1 ? ", …" : "") + ")");
        }
        return 0;
    }

    /**
     * Hugging Face's reply: one input → what {@code pipeline(input, **kwargs)} returns; several → what
     * {@code pipeline([inputs], **kwargs)} returns, a list with one entry per input (legacy: a {@code {"label","score"}} each;
     * with top_k: a list each), an error record in place of an unusable line.
     */
    static JsonNode jsonShape(List<Inputs.Line> lines, List<Input> inputs, List<List<Label>> results, Map<Integer, String> errors,
                              TextClassification.Options options) {
        ObjectMapper m = new ObjectMapper();
        if (lines.size() == 1 && !errors.containsKey(0)) return TextClassification.toJson(inputs.getFirst(), results.getFirst(), options);
        ArrayNode out = m.createArrayNode();
        for (int i = 0; i < lines.size(); i++) {
            if (errors.containsKey(i)) {
                ObjectNode e = m.createObjectNode();
                e.put("line", lines.get(i).number());
                e.put("error", errors.get(i));
                out.add(e);
            } else {
                JsonNode r = TextClassification.toJson(inputs.get(i), results.get(i), options);
                out.add(options.legacy() && r.isArray() ? r.get(0) : r);
            }
        }
        return out;
    }

    static String table(List<Inputs.Line> lines, List<List<Label>> results, Map<Integer, String> errors) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            Inputs.Line line = lines.get(i);
            sb.append(line.fromArgument() ? "" : "line " + line.number() + ": ").append(line.text()).append('\n');
            if (errors.containsKey(i)) {
                sb.append("  error: ").append(errors.get(i)).append('\n');
                continue;
            }
            int width = 5;
            for (Label l : results.get(i)) width = Math.max(width, l.label().codePointCount(0, l.label().length()));
            for (Label l : results.get(i)) {
                sb.append("  ").append(l.label()).append(" ".repeat(width - l.label().codePointCount(0, l.label().length())))
                        .append(String.format(Locale.ROOT, "  %.4f%n", l.score()));
            }
        }
        return sb.toString();
    }
}
