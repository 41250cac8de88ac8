package dev.mlm4j.cli;

import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.TextClassification;
import dev.mlm4j.pipelines.ZeroShotClassification;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
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
    CommonOptions.TextJob job;

    @Override
    public Integer call() throws Exception {
        List<String> candidates = ZeroShotClassification.parseLabels(labels);
        if (candidates.isEmpty()) throw new IllegalArgumentException("--labels is empty: give at least one label, e.g. --labels sports,politics");
        ZeroShotClassification.Options options = ZeroShotClassification.Options.DEFAULT.withMultiLabel(multiLabel);
        if (template != null) options = options.withTemplate(template);
        ZeroShotClassification.hypotheses(candidates, options);   // the template is checked before any text is read
        ZeroShotClassification.Options chosen = options;
        List<Inputs.Line> lines = job.lines(texts);
        ZeroShotClassification pipeline = Models.zeroShotClassification(model, null, job.precision());
        PerLine.Checked input = job.check(lines, (line, position) -> {});   // every non-blank text is usable (truncated if long)
        input.requireUsable("no line can be classified");
        PerLine.Results<ZeroShotClassification.Result> results = input.computeTexts("classifying", usable -> pipeline.classify(usable, candidates, chosen));
        results.print(job.json(), (position, r, alone) -> r.toMap(), false, (sb, r) -> ClassifyCommand.table(sb, labelScores(r)));
        results.warnIfAny("labels");
        return 0;
    }

    /** A result's labels and scores as classify's rows, best first. */
    static List<TextClassification.Label> labelScores(ZeroShotClassification.Result r) {
        List<TextClassification.Label> out = new ArrayList<>();
        for (int i = 0; i < r.labels().size(); i++) out.add(new TextClassification.Label(r.labels().get(i), r.scores().get(i)));
        return out;
    }
}
