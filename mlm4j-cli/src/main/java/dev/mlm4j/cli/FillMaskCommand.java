package dev.mlm4j.cli;

import dev.mlm4j.pipelines.FillMask;
import dev.mlm4j.pipelines.Models;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "fill-mask",
        mixinStandardHelpOptions = true,
        description = {
                "Predicts the word behind each [MASK] from the words on both sides of it (the model's own mask token: <mask> for RoBERTa).",
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

    @Option(names = "--truncate", description = "Cut texts longer than the model's maximum instead of failing.")
    boolean truncate;

    @Mixin
    CommonOptions.TextJob job;

    @Override
    public Integer call() throws Exception {
        List<Inputs.Line> lines = job.lines(texts);
        FillMask.Options options = new FillMask.Options(topK, targets, causal, truncate);
        FillMask pipeline = Models.fillMask(model.name, null, job.precision());
        // as Hugging Face's pipeline warns when a target is not a vocabulary token
        for (String w : pipeline.targetWarnings(options.targets())) System.err.println("mlm4j: warning: " + w);
        // Every text checked first: a bad argument fails the job, a blank or unusable line gets an error record (see PerLine).
        PerLine.Checked input = job.check(lines, (line, position) -> pipeline.check(line.text(), options));
        input.requireUsable("no line can be filled");
        PerLine.Results<List<FillMask.MaskResult>> results = input.computeTexts("filling", usable -> pipeline.fill(usable, options));
        String mask = pipeline.maskToken();
        results.print(job.json(), (position, masks, alone) -> FillMask.huggingFaceShape(List.of(masks)), true, (sb, masks) -> table(sb, masks, mask));
        results.warnIfAny("predictions");
        return 0;
    }

    /** The table rows of one text's result: the candidates of each mask ({@code mask}: the model's mask token, [MASK] or &lt;mask&gt;), best first. */
    static void table(StringBuilder sb, List<FillMask.MaskResult> masks, String mask) {
        for (int m = 0; m < masks.size(); m++) {
            if (masks.size() > 1) sb.append("  ").append(mask).append(" #").append(m + 1).append('\n');
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
}
