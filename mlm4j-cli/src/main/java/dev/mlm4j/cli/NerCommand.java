package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.TokenClassification;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

@Command(name = "ner",
        mixinStandardHelpOptions = true,
        description = {
                "Tags the tokens of each text (named entities, parts of speech) with a token-classification model"
                        + " (a Hugging Face folder whose config.json names BertForTokenClassification).",
                "Example: ./mlm4j ner -m ./bert-base-NER --aggregation simple \"My name is Wolfgang and I live in Berlin.\"",
                "Texts come from the arguments, from --file (one per line), or from standard input. Every line gets one result, in order;"
                        + " a blank line gets an error in its place (--json: {\"line\": N, \"error\": \"…\"}) and a warning on stderr.",
                "--json prints Hugging Face's token-classification JSON: entity, score, index, word, start, end (aggregation none)"
                        + " or entity_group, score, word, start, end; start/end are character offsets into the text."
        })
final class NerCommand implements java.util.concurrent.Callable<Integer> {

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to tag.")
    List<String> texts;

    @Option(names = {"-m", "--model"}, paramLabel = "<model>", required = true,
            description = "Token-classification model folder (config.json with id2label, classifier.* weights).")
    String model;

    @Option(names = {"-a", "--aggregation"}, paramLabel = "STRATEGY", defaultValue = "none",
            description = "Hugging Face's aggregation_strategy: none (one entity per token), simple, first, average or max (default: ${DEFAULT-VALUE}).")
    String aggregation;

    @Option(names = "--ignore-labels", split = ",", paramLabel = "LABEL,…",
            description = "Labels (or entity groups) left out of the answer (default: O). Give an empty string to keep all.")
    List<String> ignoreLabels;

    @Option(names = "--stride", defaultValue = "0",
            description = "Tag texts longer than the model's maximum in windows overlapping by this many tokens, instead of truncating"
                    + " (needs --aggregation other than none).")
    int stride;

    @Mixin
    CommonOptions.Int8 int8;

    @Mixin
    CommonOptions.TextFile file;

    @Mixin
    CommonOptions.Json json;

    @Override
    public Integer call() throws Exception {
        List<String> ignore = ignoreLabels == null ? null : ignoreLabels.stream().filter(s -> !s.isEmpty()).toList();
        TokenClassification.Options options = new TokenClassification.Options(TokenClassification.Aggregation.of(aggregation), ignore, stride);
        List<Inputs.Line> input = Inputs.read(texts, file.path);
        for (Inputs.Line l : input) {
            if (l.fromArgument() && l.blank()) throw new IllegalArgumentException("empty text");
        }
        if (input.stream().allMatch(Inputs.Line::blank)) throw new IllegalArgumentException("no input text: every line is empty");
        TokenClassification pipeline = Models.tokenClassification(model, null, int8.precision());
        List<List<TokenClassification.Entity>> results = new ArrayList<>();
        int errors = 0, first = -1;
        for (Inputs.Line l : input) {
            if (l.blank()) {
                results.add(null);
                errors++;
                if (first < 0) first = l.number();
            } else {
                results.add(pipeline.classify(l.text(), options));
            }
        }
        if (json.on) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(jsonShape(input, results)));
        } else {
            System.out.print(table(input, results));
        }
        if (errors > 0) {
            System.err.println("mlm4j: warning: " + errors + " of " + input.size() + " lines have an error instead of entities (line "
                    + first + ": " + Inputs.EMPTY_LINE + ")");
        }
        return 0;
    }

    /** Hugging Face's shape: one text → its list of entities; several → a list of such lists (a blank line: an error record). */
    static Object jsonShape(List<Inputs.Line> input, List<List<TokenClassification.Entity>> results) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < input.size(); i++) {
            if (results.get(i) == null) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("line", input.get(i).number());
                e.put("error", Inputs.EMPTY_LINE);
                out.add(e);
            } else {
                String text = input.get(i).text();
                out.add(results.get(i).stream().map(e -> e.toMap(text)).toList());
            }
        }
        return out.size() == 1 ? out.getFirst() : out;
    }

    static String table(List<Inputs.Line> input, List<List<TokenClassification.Entity>> results) {
        StringBuilder sb = new StringBuilder();
        for (int t = 0; t < input.size(); t++) {
            if (t > 0) sb.append('\n');
            Inputs.Line line = input.get(t);
            sb.append(line.fromArgument() ? "" : "line " + line.number() + ": ").append(line.text()).append('\n');
            if (results.get(t) == null) {
                sb.append("  error: ").append(Inputs.EMPTY_LINE).append('\n');
                continue;
            }
            if (results.get(t).isEmpty()) sb.append("  (no entities)\n");
            for (TokenClassification.Entity e : results.get(t)) {
                sb.append(String.format(Locale.ROOT, "  %-8s %.4f  %4d..%-4d %s%n", e.label(), e.score(), e.start(), e.end(), e.word()));
            }
        }
        return sb.toString();
    }
}
