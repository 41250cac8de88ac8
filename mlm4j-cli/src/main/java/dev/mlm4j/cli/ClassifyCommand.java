package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.TextClassification;
import dev.mlm4j.pipelines.TextClassification.Input;
import dev.mlm4j.pipelines.TextClassification.Label;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.Locale;
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
    CommonOptions.TextJob job;

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
        // a blank argument is an error; here, unlike Hugging Face's tokenizer (an empty text_pair is no pair), not a silent [SEP] [SEP]
        if (pair != null && pair.isBlank()) throw new IllegalArgumentException("--pair is empty; give the second text, or leave --pair out");
        TextClassification.Options options = options();
        List<Inputs.Line> lines = job.lines(texts);
        TextClassification pipeline = Models.textClassification(model, null, job.precision());
        PerLine.Checked input = job.check(lines, (line, position) -> {
            try {
                pipeline.check(new Input(line.text(), pair));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage().replaceFirst("^input 1 ", "the text "), e);
            }
        });
        input.requireUsable("no line can be classified");
        PerLine.Results<List<Label>> results = input.computeTexts("classifying",
                usable -> pipeline.classify(usable.stream().map(t -> new Input(t, pair)).toList(), options));
        results.print(job.json(), (position, labels, alone) -> jsonEntry(new Input(lines.get(position).text(), pair), labels, alone, options),
                false, ClassifyCommand::table);
        results.warnIfAny("labels");
        return 0;
    }

    /**
     * Hugging Face's reply: one input → what {@code pipeline(input, **kwargs)} returns; several → what
     * {@code pipeline([inputs], **kwargs)} returns, a list with one entry per input (legacy: a {@code {"label","score"}} each;
     * with top_k: a list each), an error record in place of an unusable line.
     */
    static JsonNode jsonEntry(Input in, List<Label> labels, boolean alone, TextClassification.Options options) {
        JsonNode r = TextClassification.toJson(in, labels, options);
        return !alone && options.legacy() && r.isArray() ? r.get(0) : r;
    }

    /** The table rows of one text's labels, best first. */
    static void table(StringBuilder sb, List<Label> labels) {
        int width = 5;
        for (Label l : labels) width = Math.max(width, l.label().codePointCount(0, l.label().length()));
        for (Label l : labels) {
            sb.append("  ").append(l.label()).append(" ".repeat(width - l.label().codePointCount(0, l.label().length())))
                    .append(String.format(Locale.ROOT, "  %.4f%n", l.score()));
        }
    }
}
