package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.layers.Precision;
import dev.mlm4j.pipelines.FillMask;
import dev.mlm4j.pipelines.Models;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "fill-mask",
        mixinStandardHelpOptions = true,
        description = {
                "Predicts the word behind each [MASK] from the words on both sides of it.",
                "Example: ./mlm4j fill-mask \"Paris is the [MASK] of France.\"",
                "Texts come from the arguments, from --file (one per line), or from standard input."
        })
final class FillMaskCommand implements Callable<Integer> {

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts containing [MASK].")
    List<String> texts;

    @Option(names = {"-m", "--model"}, defaultValue = "bert-base-uncased",
            description = "Model name (see './mlm4j models') or folder. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = {"-k", "--top-k"}, defaultValue = "5", description = "Candidates per mask (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--targets", split = ",", paramLabel = "WORD,…", description = "Score only these candidate words.")
    List<String> targets;

    @Option(names = "--causal", description = "Run every layer with the causal mask (each token sees only its left), to see what the right-hand context was worth.")
    boolean causal;

    @Option(names = "--int8", description = "Quantise the linear layers' weights to int8 at load (per output channel; a quarter of the memory, slightly less accurate; also -Dmlm4j.weights=int8).")
    boolean int8;

    @Option(names = "--truncate", description = "Cut texts longer than the model's maximum instead of failing.")
    boolean truncate;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read texts from FILE, one per line ('-' for standard input).")
    Path file;

    @Option(names = "--json", description = "Print Hugging Face's fill-mask JSON (score, token, token_str, sequence).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<String> input = Inputs.texts(texts, file);
        FillMask.Options options = new FillMask.Options(topK, targets, causal, truncate);
        FillMask pipeline = Models.fillMask(model, null, int8 ? Precision.INT8 : Precision.fromProperty());
        List<List<FillMask.MaskResult>> results = pipeline.fill(input, options);   // everything computed before printing
        if (json) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(FillMask.huggingFaceShape(results)));
        } else {
            System.out.print(table(input, results));
        }
        return 0;
    }

    static String table(List<String> input, List<List<FillMask.MaskResult>> results) {
        StringBuilder sb = new StringBuilder();
        for (int t = 0; t < input.size(); t++) {
            if (t > 0) sb.append('\n');
            sb.append(input.get(t)).append('\n');
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
