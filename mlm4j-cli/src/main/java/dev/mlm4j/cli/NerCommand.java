package dev.mlm4j.cli;

import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.TokenClassification;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.Locale;

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

    @Option(names = "--stride", paramLabel = "N",
            description = "Tag the whole of a text longer than the model's maximum, in windows overlapping by N tokens (0: windows side by"
                    + " side), instead of truncating it, as Hugging Face's stride (needs --aggregation other than none). Not given: truncate.")
    Integer stride;

    @Mixin
    CommonOptions.TextJob job;

    @Override
    public Integer call() throws Exception {
        List<String> ignore = ignoreLabels == null ? null : ignoreLabels.stream().filter(s -> !s.isEmpty()).toList();
        TokenClassification.Options options = new TokenClassification.Options(TokenClassification.Aggregation.of(aggregation), ignore, stride);
        List<Inputs.Line> lines = job.lines(texts);
        TokenClassification pipeline = Models.tokenClassification(model, null, job.precision());
        PerLine.Checked input = job.check(lines, (line, position) -> {});   // a long text is truncated or windowed
        PerLine.Results<List<TokenClassification.Entity>> results = input.computeTexts("tagging",
                usable -> usable.stream().map(text -> pipeline.classify(text, options)).toList());
        // Hugging Face's shape: one text → its list of entities; several → a list of such lists (a blank line: an error record)
        results.print(job.json(), (position, entities, alone) -> entities.stream().map(e -> e.toMap(lines.get(position).text())).toList(),
                true, NerCommand::table);
        results.warnIfAny("entities");
        return 0;
    }

    /** The table rows of one text's entities. */
    static void table(StringBuilder sb, List<TokenClassification.Entity> entities) {
        if (entities.isEmpty()) sb.append("  (no entities)\n");
        for (TokenClassification.Entity e : entities) {
            sb.append(String.format(Locale.ROOT, "  %-8s %.4f  %4d..%-4d %s%n", e.label(), e.score(), e.start(), e.end(), e.word()));
        }
    }
}
