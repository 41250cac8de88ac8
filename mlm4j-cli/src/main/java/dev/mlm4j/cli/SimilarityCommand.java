package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.Similarity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "similarity",
        mixinStandardHelpOptions = true,
        description = {
                "Scores how alike texts are in meaning: the cosine of their sentence embeddings, highest first.",
                "Example: ./mlm4j similarity \"A man is playing a guitar.\" \"Someone plays an instrument.\" \"The stock market fell.\"",
                "The first text is the source and the others are ranked against it; with --pairs every pair of the texts is scored.",
                "More texts can come from --file (one per line), or from standard input when no TEXT is given: with TEXT arguments standard"
                        + " input is not read, use -f - to add lines from standard input. Lengths as in 'embed' (see its --help).",
                "A blank or too-long line gets an error row after the scores ({\"index\", \"line\", \"text\", \"error\"}) and a warning on stderr.",
                "--json prints [{index, text, score}] (index: the position among the texts given, the source being 0) or, with --pairs,"
                        + " [{first, second, first_text, second_text, score}]."
        })
final class SimilarityCommand implements Callable<Integer> {

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "SOURCE TEXT… (or, with --pairs, TEXT…).")
    List<String> texts;

    @Mixin
    CommonOptions.EmbeddingModel model;

    @Option(names = "--pairs", description = "Score every pair of texts instead of ranking against the first.")
    boolean pairs;

    @Option(names = {"-p", "--pooling"}, paramLabel = "mean|cls",
            description = "mean or cls. Default: the model's.")
    String pooling;

    @Option(names = "--truncate", description = "Cut texts longer than the model's working length (or --max-length) instead of failing.")
    boolean truncate;

    @Option(names = "--max-length", paramLabel = "N",
            description = "Longest text in tokens, and where --truncate cuts (2 to the position table, 512; default: the model's working length).")
    Integer maxLength;

    @Mixin
    CommonOptions.TextFile file;

    @Mixin
    CommonOptions.Json json;

    @Override
    public Integer call() throws Exception {
        List<Inputs.Line> input = Inputs.read(texts, file.path);
        int max = EmbedCommand.maxLength(maxLength);
        FeatureExtraction.Options options = FeatureExtraction.Options.DEFAULT.withPooling(EmbedCommand.pooling(pooling)).withTruncate(truncate)
                .withMaxLength(max);
        // fewer than two lines cannot be scored whatever they hold: said before the model is fetched or loaded
        if (input.size() < 2) throw tooFew(0);
        FeatureExtraction embeddings = Models.embeddings(model.name);
        // As in embed: a bad argument fails the job; a blank or too-long line gets an error row (after the scores) and a warning.
        PerLine.Checked checked = PerLine.check(input, file.path,
                (line, position) -> embeddings.encode(line.text(), line.fromArgument() ? position : -1, options));
        Map<Integer, String> errors = checked.errors();
        List<String> usable = checked.usableTexts();
        List<Integer> positions = new ArrayList<>();                 // usable text k is input position positions.get(k)
        for (int i = 0; i < input.size(); i++) if (checked.usable(i)) positions.add(i);
        if (usable.size() < 2) throw tooFew(errors.size());
        Similarity similarity = new Similarity(embeddings);
        List<Map<String, Object>> rows = new ArrayList<>();
        StringBuilder table = new StringBuilder();
        if (pairs) {
            for (Similarity.Pair p : similarity.pairs(usable, options)) {
                rows.add(row("first", positions.get(p.first()), "second", positions.get(p.second()), "first_text", p.firstText(),
                        "second_text", p.secondText(), "score", p.score()));
                table.append(String.format(Locale.ROOT, "%7.4f  %s  |  %s%n", p.score(), p.firstText(), p.secondText()));
            }
        } else {
            table.append("similarity to: ").append(usable.getFirst()).append('\n');
            for (Similarity.Match m : similarity.rank(usable.getFirst(), usable.subList(1, usable.size()), options)) {
                rows.add(row("index", positions.get(m.index() + 1), "text", m.text(), "score", m.score()));
                table.append(String.format(Locale.ROOT, "%7.4f  %s%n", m.score(), m.text()));
            }
        }
        for (var e : errors.entrySet()) {
            Inputs.Line l = input.get(e.getKey());
            rows.add(row("index", e.getKey(), "line", l.number(), "text", l.text(), "error", e.getValue()));
            table.append(String.format(Locale.ROOT, "  error  line %d: %s%n", l.number(), e.getValue()));
        }
        System.out.print(json.on ? new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(rows) + "\n" : table);
        if (!errors.isEmpty()) System.err.println(PerLine.warning(errors.size(), input.size(), "texts have an error instead of a score", checked.firstError()));
        return 0;
    }

    /** "give at least two texts…", with how many lines could not be used ({@code unusable}) and how to add standard input's. */
    private IllegalArgumentException tooFew(int unusable) {
        return new IllegalArgumentException("give at least two texts: " + (pairs ? "TEXT TEXT…" : "SOURCE TEXT…")
                + (unusable == 0 ? "" : " (" + unusable + " line" + (unusable > 1 ? "s" : "") + " could not be used)")
                // standard input is read only without arguments (or with -f -), never implicitly: a script's open stdin would hang it
                + (file.path == null && texts != null && !texts.isEmpty() ? "; standard input is not read when texts are given: use -f - to add lines from it" : ""));
    }

    private static Map<String, Object> row(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) m.put((String) keyValues[i], keyValues[i + 1]);
        return m;
    }
}
