package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mlm4j.pipelines.FromScratch;
import dev.mlm4j.pipelines.Training;
import dev.mlm4j.util.Progress;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

@Command(name = "train",
        mixinStandardHelpOptions = true,
        description = {
                "Trains or fine-tunes a model in pure Java: masked or causal LM, text or pair classification, tagging.",
                "Writes a Hugging Face folder (config.json, model.safetensors, tokenizer files) that transformers and mlm4j's own commands load, with training_log.jsonl (one JSON object per step and per evaluation),",
                "loss_curve.png and checkpoint/ (the model, optimiser moments and position, for --resume).",
                "TASK: mlm (masked LM: 15%% of tokens, 80%% [MASK] / 10%% random / 10%% unchanged), clm (causal LM on the same model under a causal mask),",
                "classify (JSON Lines {\"text\",\"label\"}), pairs ({\"text_a\",\"text_b\",\"label\"} or {\"text\",\"text_pair\",\"label\"}); a label is a name,",
                "a number such as 0.5 (regression: mean squared error) or a list of names (multi-label: a sigmoid per label), as config.json's problem_type or the file says,",
                "tag (CoNLL columns: a token and its tag per line, a blank line between sentences; or JSON Lines {\"tokens\",\"tags\"}).",
                "mlm/clm read plain text, one sequence per line (--blocks: run together and cut to the model's length), or JSON Lines {\"text\"}.",
                "classify/pairs/tag need a model with that head; its labels are config.json's id2label, or the training file's labels sorted",
                "when the head's labels are unnamed (LABEL_0 …). Ctrl-C or SIGTERM saves a checkpoint and stops. See docs/TRAINING.md.",
                "Example: ./mlm4j train classify --model my-classifier --train train.jsonl --eval dev.jsonl --output trained --epochs 2"
        })
final class TrainCommand implements java.util.concurrent.Callable<Integer> {

    @Parameters(index = "0", paramLabel = "TASK", description = "mlm, clm, classify, tag or pairs.")
    String task;

    @Option(names = {"-m", "--model"}, paramLabel = "<model>", description = "Model name (see './mlm4j models') or folder to start from (not needed with --resume).")
    String model;

    @Option(names = "--train", paramLabel = "FILE", required = true, description = "Training data.")
    Path train;

    @Option(names = "--eval", paramLabel = "FILE", description = "Evaluation data, evaluated after each epoch (loss, accuracy, and macro F1 or perplexity; regression: MSE and Pearson r; multi-label: micro F1 and exact match).")
    Path eval;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true, description = "Folder to write (must be empty or absent unless resuming into it).")
    Path output;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run saved in DIR (an earlier --output or its checkpoint/) on the same --train file, with the model and options it was started with (giving them again is refused).")
    Path resume;

    @Option(names = "--epochs", defaultValue = "3", description = "Passes over the training data. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--lr", defaultValue = "5e-5", description = "Peak learning rate (AdamW, linear warm-up and decay to 0). Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--batch-tokens", defaultValue = "4096", description = "Tokens per micro-batch: sequences packed without padding up to this many. Default: ${DEFAULT-VALUE}.")
    int batchTokens;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the data order and the masks. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--max-steps", defaultValue = "0", description = "Stop after this many optimiser steps (0: the epochs decide). Default: ${DEFAULT-VALUE}.")
    int maxSteps;

    @Option(names = "--warmup-ratio", defaultValue = "0", description = "Share of the steps spent warming the learning rate up. Default: ${DEFAULT-VALUE}.")
    double warmupRatio;

    @Option(names = "--weight-decay", defaultValue = "0", description = "AdamW's decoupled weight decay (not on biases and LayerNorm). Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(names = "--grad-accum", defaultValue = "1", description = "Micro-batches per optimiser step (gradient accumulation). Default: ${DEFAULT-VALUE}.")
    int gradAccum;

    @Option(names = "--max-grad-norm", defaultValue = "1.0", description = "Clip the gradients' global norm to this (0: no clipping). Default: ${DEFAULT-VALUE}.")
    double maxGradNorm;

    @Option(names = "--dropout", defaultValue = Training.CONFIG, paramLabel = "config|off|P",
            description = "Dropout while training, as transformers' train mode: config (the model's config.json rates: hidden_dropout_prob,"
                    + " attention_probs_dropout_prob, classifier_dropout), off, or one probability for every site. Default: ${DEFAULT-VALUE}.")
    String dropout;

    @Option(names = "--whole-word", description = "mlm: mask every piece of a word together (whole-word masking).")
    boolean wholeWord;

    @Option(names = "--blocks", description = "mlm/clm plain text: run the lines together and cut blocks of the model's length instead of one sequence per line.")
    boolean blocks;

    @Option(names = "--no-truncate", description = "Refuse a sequence longer than the model's position limit instead of cutting it (with a warning).")
    boolean noTruncate;

    @Option(names = "--from-scratch", description = "mlm/clm: start from random weights (BERT's initialisation, seeded by --seed) instead of --model; needs --config and --vocab.")
    boolean fromScratch;

    @Option(names = "--config", paramLabel = "PRESET|FILE", description = "--from-scratch: the model's size, a preset (tiny, mini, small) or a JSON file with hidden_size, num_hidden_layers, num_attention_heads, intermediate_size, max_position_embeddings.")
    String config;

    @Option(names = "--vocab", paramLabel = "FILE", description = "--from-scratch: the WordPiece vocab.txt (see './mlm4j vocab').")
    Path vocab;

    @Option(names = "--cased", description = "--from-scratch: keep case and accents (default: lower-case, as bert-base-uncased; use the same choice as './mlm4j vocab').")
    boolean cased;

    @Option(names = "--no-position-embeddings", description = "--from-scratch: a model without position information (the position table zero and frozen; config.json says mlm4j_position_embeddings none).")
    boolean noPositions;

    @Mixin
    CommonOptions.Json json;

    @Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * The options a checkpoint fixes: --resume continues with the ones the run started with, so one typed again would be
     * silently dropped (a new --lr, "3 more epochs", another --model); refused instead.
     */
    static final List<String> FIXED_BY_CHECKPOINT = List.of("--model", "--epochs", "--lr", "--batch-tokens", "--seed", "--max-steps",
            "--warmup-ratio", "--weight-decay", "--grad-accum", "--max-grad-norm", "--dropout", "--whole-word", "--blocks", "--no-truncate");

    @Override
    public Integer call() {
        refuseOptionsOfOtherTasks();
        if (fromScratch) return fromScratch();
        if (config != null || vocab != null || noPositions) throw new IllegalArgumentException("--config, --vocab and --no-position-embeddings go with --from-scratch");
        if (resume == null && model == null) throw new IllegalArgumentException("train needs --model (or --resume DIR)");
        if (resume != null) refuseOptionsTheCheckpointFixes();
        return train();
    }

    /** --whole-word masks for mlm, --blocks cuts mlm/clm text: given to another task they would do nothing, silently. */
    private void refuseOptionsOfOtherTasks() {
        if (wholeWord && !task.equals("mlm")) throw new IllegalArgumentException("--whole-word goes with mlm (it chooses the masked words), not " + task);
        if (blocks && !task.equals("mlm") && !task.equals("clm")) throw new IllegalArgumentException("--blocks goes with mlm or clm (plain text), not " + task);
    }

    private void refuseOptionsTheCheckpointFixes() {
        CommandLine.ParseResult typed = spec.commandLine().getParseResult();
        List<String> given = new ArrayList<>();
        for (String name : FIXED_BY_CHECKPOINT) if (typed.hasMatchedOption(name)) given.add(name);
        if (!given.isEmpty()) {
            throw new IllegalArgumentException("--resume continues with the model and options the run started with; drop " + String.join(", ", given)
                    + " (to change " + (given.size() == 1 ? "it" : "them") + ", start a new run with --model " + resume + ")");
        }
    }

    /** Writes a randomly initialised model into a scratch folder, trains it as --model, and removes the scratch folder. */
    private Integer fromScratch() {
        if (!task.equals("mlm") && !task.equals("clm")) throw new IllegalArgumentException("--from-scratch pre-trains: the task must be mlm or clm, not '" + task + "'");
        if (model != null || resume != null) throw new IllegalArgumentException("--from-scratch starts from random weights: drop --model and --resume");
        if (config == null || vocab == null) throw new IllegalArgumentException("--from-scratch needs --config PRESET|FILE and --vocab FILE");
        if (!java.nio.file.Files.isRegularFile(vocab)) throw new IllegalArgumentException("no such file: " + vocab);
        FromScratch.Size size = FromScratch.size(config);
        Path scratch = null;
        try {
            scratch = java.nio.file.Files.createTempDirectory("mlm4j-scratch-");
            model = FromScratch.write(size, vocab, !cased, !noPositions, seed, scratch.resolve("start")).toString();
            return train();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e.getMessage(), e);
        } finally {
            if (scratch != null) dev.mlm4j.util.StagingFiles.deleteQuietly(scratch);
        }
    }

    private Integer train() {
        Training.Options options = new Training.Options(epochs, lr, batchTokens, seed, maxSteps, warmupRatio, weightDecay, gradAccum,
                wholeWord, !noTruncate, blocks, maxGradNorm, dropout);
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {        // Ctrl-C or SIGTERM: ask the loop to save a checkpoint after this step, and wait for it
            stop.set(true);
            try {
                done.await(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "mlm4j-train-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Training.Summary s = Training.run(task, model, train, eval, output, resume, options, new Bar(System.err), stop::get, Progress.stderr());
            report(s);   // before the hook is released: after Ctrl-C the JVM halts as soon as the hook returns
            return s.interrupted() ? 130 : 0;
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns now that the checkpoint is saved and the summary printed
            }
        }
    }

    /** The summary on standard output: JSON with --json, else a line (and how to continue after an interrupt). */
    private void report(Training.Summary s) {
        if (json.on) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("task", s.task());
            m.put("steps", s.steps());
            m.put("total_steps", s.totalSteps());
            m.put("epochs", s.epochs());
            m.put("loss", s.loss());
            m.put("eval", s.eval());
            m.put("output", s.output().toString());
            m.put("checkpoint", s.checkpoint().toString());
            m.put("interrupted", s.interrupted());
            m.put("tokens", s.tokens());
            m.put("seconds", Math.round(s.seconds() * 1000) / 1000.0);
            try {
                System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        } else {
            System.out.printf(Locale.ROOT, "%s %d of %d step%s (%s), last loss %.4f; wrote %s%n", s.interrupted() ? "stopped after" : "trained",
                    s.steps(), s.totalSteps(), s.totalSteps() == 1 ? "" : "s", s.task(), s.loss(), s.output());
            if (!s.eval().isEmpty()) System.out.println("  evaluation: " + metrics(s.eval()));
            if (s.interrupted()) System.out.println("  continue with: --resume " + s.output());
        }
        System.out.flush();
    }

    private static String metrics(Map<String, Object> eval) {
        StringBuilder sb = new StringBuilder();
        eval.forEach((k, v) -> {
            if (!k.startsWith("eval_")) return;
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(k.substring(5)).append(' ').append(v instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : v);
        });
        return sb.toString();
    }

    /**
     * The run's progress on stderr: on a terminal one redrawn line (step, loss, tokens/s, time left), elsewhere a line
     * at each tenth of the run and each evaluation; nothing with MLM4J_PROGRESS=off.
     */
    private static final class Bar implements Training.Listener {
        private final PrintStream err;
        private final boolean terminal = System.console() != null, off;
        private long start;
        private int from;

        Bar(PrintStream err) {
            this.err = err;
            String p = System.getProperty("mlm4j.progress", System.getenv("MLM4J_PROGRESS"));
            this.off = p != null && p.trim().equalsIgnoreCase("off");
        }

        @Override
        public void started(int totalSteps, int fromStep, int trainSequences) {
            start = System.nanoTime();
            from = fromStep;
            if (!off) err.printf(Locale.ROOT, "training: %d sequence%s, %d step%s%s%n", trainSequences, trainSequences == 1 ? "" : "s", totalSteps, totalSteps == 1 ? "" : "s", fromStep > 0 ? ", resuming at step " + (fromStep + 1) : "");
        }

        @Override
        public void step(Map<String, Object> e, int total) {
            if (off) return;
            int step = (Integer) e.get("step");
            double elapsed = (System.nanoTime() - start) / 1e9;
            long left = step > from ? Math.round(elapsed * (total - step) / (step - from)) : 0;
            String line = String.format(Locale.ROOT, "step %d/%d  epoch %.2f  loss %.4f  lr %.2e  %.0f tokens/s  %ds left", step, total,
                    (Double) e.get("epoch"), (Double) e.get("loss"), (Double) e.get("learning_rate"), (Double) e.get("tokens_per_second"), left);
            if (terminal) {
                err.print("\r" + line + "\u001b[K");
                if (step == total) err.println();
            } else if (step == total || step % Math.max(1, total / 10) == 0) {
                err.println(line);
            }
            err.flush();
        }

        @Override
        public void evaluated(Map<String, Object> e) {
            if (off) return;
            if (terminal) err.println();
            double epoch = ((Number) e.get("epoch")).doubleValue();
            err.println("evaluation after epoch " + (epoch == Math.rint(epoch) ? String.valueOf((long) epoch) : String.format(Locale.ROOT, "%.2f", epoch))
                    + ": " + metrics(e));
        }

        @Override
        public void warning(String line) {
            err.println("mlm4j: " + line);
        }
    }
}
