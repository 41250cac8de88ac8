package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlm4j.config.ClassificationConfig;
import dev.mlm4j.config.ProblemType;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tokens.Tokenizer;
import dev.mlm4j.train.AdamW;
import dev.mlm4j.train.Batches;
import dev.mlm4j.train.LabelMap;
import dev.mlm4j.train.LinearSchedule;
import dev.mlm4j.train.LossCurve;
import dev.mlm4j.train.Masking;
import dev.mlm4j.train.Objective;
import dev.mlm4j.train.Sequence;
import dev.mlm4j.train.Trainer;
import dev.mlm4j.train.TrainingData;
import dev.mlm4j.util.ProgressListener;
import dev.mlm4j.util.StagingFiles;
import dev.mlm4j.weights.safetensors.SafetensorsCheckpoint;
import dev.mlm4j.weights.safetensors.SafetensorsWriter;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Training and fine-tuning, the front door the CLI calls (issue 18): a model (name or folder), a task
 * ({@code mlm, clm, classify, tag, pairs}), a training file (and an evaluation file) in, a Hugging Face folder out.
 * The output folder holds the trained model's {@code config.json}, {@code model.safetensors} and tokenizer files (the
 * pipelines load it as any model), {@code training_log.jsonl} (one JSON object per optimiser step and per evaluation),
 * {@code loss_curve.png}, and {@code checkpoint/}: the same model files plus {@code trainer_state.json} (step, epoch,
 * position in the epoch, options) and {@code optimizer.safetensors} (AdamW's moments), from which {@code resume}
 * continues to the same numbers. The data order and every mask follow from the seed, the epoch and the batch's index
 * ({@link Batches#random}), so there is no generator state to save. Every folder is written beside its place and
 * renamed into it: nothing is half-written, also when the run is stopped.
 */
public final class Training {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The side file of a checkpoint folder: where the run stood. */
    public static final String STATE = "trainer_state.json";
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String LOG = "training_log.jsonl";
    public static final String CURVE = "loss_curve.png";
    public static final String CHECKPOINT = "checkpoint";
    /** trainer_state.json's record of the training file ({@code bytes}, {@code sha256}); absent in checkpoints saved before it. */
    static final String TRAIN_DATA = "train_data";

    private Training() {}

    /**
     * How to train. Hugging Face Trainer's defaults where it has them (learning rate 5e-5, 3 epochs, no warm-up, no
     * weight decay, clipping at 1.0, seed 42).
     *
     * @param batchTokens tokens per micro-batch (sequences packed without padding up to this sum)
     * @param maxSteps    stop after this many optimiser steps (0: the epochs decide), as {@code --max_steps}
     * @param truncate    cut sequences over the model's position limit (with a warning) instead of refusing them
     * @param blocks      mlm/clm plain text: run the lines together and cut blocks of the model's length ({@code run_mlm}'s grouping)
     */
    public record Options(int epochs, double learningRate, int batchTokens, long seed, int maxSteps, double warmupRatio,
                          double weightDecay, int gradAccum, boolean wholeWord, boolean truncate, boolean blocks, double maxGradNorm,
                          String dropout) {
        /** The options before {@code dropout} existed: no dropout, as those runs trained. */
        public Options(int epochs, double learningRate, int batchTokens, long seed, int maxSteps, double warmupRatio,
                       double weightDecay, int gradAccum, boolean wholeWord, boolean truncate, boolean blocks, double maxGradNorm) {
            this(epochs, learningRate, batchTokens, seed, maxSteps, warmupRatio, weightDecay, gradAccum, wholeWord, truncate, blocks, maxGradNorm, OFF);
        }

        /**
         * @param dropout {@code config} (the model's config.json rates, as transformers' train mode), {@code off}, or one
         *                probability in [0, 1) for every site; null (a checkpoint saved before the option) is {@code off}
         */
        public Options {
            if (dropout == null) dropout = OFF;
            dropoutRates(dropout, null, Objective.MLM);                   // a bad value is refused now, not at the first step
            if (epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
            // Infinity passed "positive" and turned every weight into Inf/NaN at the first step
            if (!(learningRate > 0 && Double.isFinite(learningRate))) throw new IllegalArgumentException("--lr must be a positive finite number, got " + learningRate);
            if (batchTokens < 1) throw new IllegalArgumentException("--batch-tokens must be at least 1, got " + batchTokens);
            if (maxSteps < 0) throw new IllegalArgumentException("--max-steps must not be negative, got " + maxSteps);
            if (!(warmupRatio >= 0 && warmupRatio <= 1)) throw new IllegalArgumentException("--warmup-ratio must be in [0, 1], got " + warmupRatio);
            // Infinity passed "not negative" and, as an infinite --lr did, made every weight Inf/NaN at the first step
            if (!(weightDecay >= 0 && Double.isFinite(weightDecay))) throw new IllegalArgumentException("--weight-decay must be a finite number, not negative, got " + weightDecay);
            if (gradAccum < 1) throw new IllegalArgumentException("--grad-accum must be at least 1, got " + gradAccum);
            // a negative norm was taken as 0 (no clipping) without a word; 0 is the way to say it
            if (!(maxGradNorm >= 0)) throw new IllegalArgumentException("--max-grad-norm must not be negative (0: no clipping), got " + maxGradNorm);
        }

        public static Options defaults() {
            return new Options(3, 5e-5, 4096, 42, 0, 0, 0, 1, false, true, false, 1.0, CONFIG);
        }
    }

    /** {@link Options#dropout()}: the model's own rates (transformers' train mode), or none. */
    public static final String CONFIG = "config", OFF = "off";

    /**
     * The dropout rates {@code spec} means for {@code objective} on a model whose config.json is {@code config} (null:
     * absent), as transformers' modules read them: hidden {@code hidden_dropout_prob} (DistilBERT: {@code dropout}),
     * attention {@code attention_probs_dropout_prob} ({@code attention_dropout}), before a classifier
     * {@code classifier_dropout}, else DistilBERT's {@code seq_classif_dropout} for a sequence classifier, else the
     * hidden rate; a field the config lacks takes transformers' default 0.1 (ModernBERT: its own fields, default 0,
     * {@link #modernBertRates}). Seeded by {@code seed}.
     */
    static Dropout dropoutRates(String spec, JsonNode config, Objective objective, long seed) {
        double[] r = dropoutRates(spec, config, objective);
        return r == null ? Dropout.OFF : new Dropout(r[0], r[1], r[2], seed);
    }

    private static double[] dropoutRates(String spec, JsonNode config, Objective objective) {
        if (spec.equals(OFF)) return null;
        if (spec.equals(CONFIG)) {
            if (config == null) return new double[] {0.1, 0.1, 0.1};
            if (config.path("model_type").asText().equals("modernbert")) return modernBertRates(config);
            double hidden = rate(config, "hidden_dropout_prob", rate(config, "dropout", 0.1));
            double attention = rate(config, "attention_probs_dropout_prob", rate(config, "attention_dropout", 0.1));
            boolean sequence = objective == Objective.CLASSIFY || objective == Objective.PAIRS;
            double classifier = rate(config, "classifier_dropout", sequence ? rate(config, "seq_classif_dropout", hidden) : hidden);
            return new double[] {hidden, attention, classifier};
        }
        double p;
        try {
            p = Double.parseDouble(spec);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--dropout must be config, off or a probability in [0, 1), got '" + spec + "'");
        }
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("--dropout must be config, off or a probability in [0, 1), got " + spec);
        return p == 0 ? null : new double[] {p, p, p};
    }

    /**
     * ModernBERT's own fields, each 0 when absent as in its config class: hidden {@code mlp_dropout} (also the
     * embeddings', whose {@code embedding_dropout} must then be the same), attention {@code attention_dropout} (the
     * probabilities and Wo's output), {@code classifier_dropout}.
     */
    private static double[] modernBertRates(JsonNode config) {
        double mlp = rate(config, "mlp_dropout", 0), embedding = rate(config, "embedding_dropout", 0);
        if (mlp != embedding) {
            throw new IllegalArgumentException("config.json's embedding_dropout " + embedding + " differs from mlp_dropout " + mlp
                    + ": mlm4j trains ModernBERT with one rate for both (or train with --dropout off|P)");
        }
        return new double[] {mlp, rate(config, "attention_dropout", 0), rate(config, "classifier_dropout", 0)};
    }

    /** config's {@code key} when it is a number in [0, 1) (null and absent: {@code otherwise}); else a one-line error. */
    private static double rate(JsonNode config, String key, double otherwise) {
        JsonNode v = config.get(key);
        if (v == null || v.isNull()) return otherwise;
        if (!v.isNumber() || !(v.asDouble() >= 0 && v.asDouble() < 1)) {
            throw new IllegalArgumentException("config.json's " + key + " is " + v + ": a dropout probability must be in [0, 1) (or train with --dropout off|P)");
        }
        return v.asDouble();
    }

    /** Hears a run advance; every method defaults to nothing. Entries are the log's lines, as maps. */
    public interface Listener {
        default void started(int totalSteps, int fromStep, int trainSequences) {}

        default void step(Map<String, Object> entry, int totalSteps) {}

        default void evaluated(Map<String, Object> entry) {}

        default void warning(String line) {}
    }

    /** How a run ended: steps taken, whole epochs done, the last step's loss, the last evaluation's metrics, where everything went. */
    public record Summary(String task, int steps, int totalSteps, int epochs, double loss, Map<String, Object> eval, Path output,
                          Path checkpoint, boolean interrupted, long tokens, double seconds) {}

    /**
     * Trains {@code model} ({@code Models.resolve}'s name or folder; ignored when {@code resume} is given) on
     * {@code train} for {@code task}, evaluating on {@code eval} (may be null) after each epoch, into {@code output}.
     * {@code resume}: an earlier run's output folder (or its {@code checkpoint/}); the run continues with the options
     * it was started with. {@code stop} is asked after each step (Ctrl-C): when true a checkpoint is saved and the run
     * returns {@link Summary#interrupted()}. Bad input is an {@link IllegalArgumentException} in one line; a loss that
     * is not finite an {@link IllegalStateException} after the last good weights were saved as the checkpoint.
     */
    public static Summary run(String task, String model, Path train, Path eval, Path output, Path resume, Options options,
                              Listener listener, BooleanSupplier stop, ProgressListener download) {
        try {
            return new Run(task, model, train, eval, output, resume, options, listener, stop, download).run();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private static final class Run {
        final Objective objective;
        final Path train, eval, output;
        /** --resume as given (null: a new run). */
        final Path resumed;
        Path from, scratch;
        final Options o;
        final Listener listener;
        final BooleanSupplier stop;
        final JsonNode state;
        Object model;
        LabelMap labels;
        boolean renameLabels;
        /** classify/pairs: the loss and the targets, from config.json's problem_type or the training file's labels. */
        ProblemType problem = ProblemType.SINGLE_LABEL_CLASSIFICATION;
        /** Whether the saved config.json gets {@link #problem} (a config without one, a non-single-label run). */
        boolean writeProblem;
        TrainingData.LabelKind labelKind;
        List<Sequence> trainSeqs, evalSeqs;
        Masking masking;
        AdamW optimizer;
        Trainer trainer;
        final List<LossCurve.Point> curve = new ArrayList<>(), evalCurve = new ArrayList<>();
        long tokens;
        double seconds;
        int completedEpochs;
        /** The training file's {@link #fingerprint}, saved with each checkpoint. */
        ObjectNode trainData;

        Run(String task, String model, Path train, Path eval, Path output, Path resume, Options options, Listener listener,
            BooleanSupplier stop, ProgressListener download) throws IOException {
            this.objective = Objective.of(task);
            // the javadoc promises a one-line IllegalArgumentException for bad input: these were NullPointerExceptions from inside
            if (train == null) throw new IllegalArgumentException("no training file given");
            if (output == null) throw new IllegalArgumentException("no output folder given");
            if (options == null && resume == null) throw new IllegalArgumentException("no training options given (Training.Options.defaults() are Hugging Face's)");
            this.train = train;
            this.eval = eval;
            this.resumed = resume;
            this.output = output.toAbsolutePath().normalize();
            this.listener = listener == null ? new Listener() {} : listener;
            this.stop = stop == null ? () -> false : stop;
            if (eval != null && !Files.isRegularFile(eval)) throw new IllegalArgumentException("no such file: " + eval);
            if (resume != null) {
                Path ck = Files.isRegularFile(resume.resolve(STATE)) ? resume : resume.resolve(CHECKPOINT);
                if (!Files.isRegularFile(ck.resolve(STATE))) {
                    throw new IllegalArgumentException("no training checkpoint in " + resume + " (expected " + CHECKPOINT + "/" + STATE + ")");
                }
                this.from = ck.toAbsolutePath().normalize();
                try {
                    this.state = JSON.readTree(ck.resolve(STATE).toFile());
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {   // its text twice and no file name, before
                    throw new IllegalArgumentException("checkpoint file " + ck.resolve(STATE) + " is not JSON" + TrainingData.jsonError(e));
                }
                if (!state.isObject() || !state.path("step").isInt() || !state.path("options").isObject()) {
                    throw new IllegalArgumentException("checkpoint file " + ck.resolve(STATE) + " is not a trainer state (no \"step\" and \"options\")");
                }
                if (!state.path("task").asText().equals(objective.id())) {
                    throw new IllegalArgumentException("the checkpoint in " + resume + " was trained for '" + state.path("task").asText() + "', not '" + task + "'");
                }
                this.o = JSON.treeToValue(state.get("options"), Options.class);
                // the resumed run's files replace the output's: any other non-empty folder would keep a mix of two models
                if (!isRunFolder(this.output, from)) requireEmpty(output);
            } else {
                requireEmpty(output);
                this.from = Models.resolve(model, download);
                this.state = null;
                this.o = options;
            }
        }

        // ---- the run folder: what a resume checks (training file, output folder, checkpoint) ----------------

        /**
         * The training file's size and SHA-256, kept in the checkpoint: the position in the epoch and the step count mean
         * nothing on other data, so a resume on another file is refused rather than continued to other numbers.
         */
        static ObjectNode fingerprint(Path file) throws IOException {
            java.security.MessageDigest sha;
            try {
                sha = java.security.MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) return null;     // TrainingData.read says what is wrong with it
            long bytes = 0;
            try (var in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; bytes += n) sha.update(buf, 0, n);
            }
            ObjectNode n = JSON.createObjectNode();
            n.put("bytes", bytes);
            n.put("sha256", java.util.HexFormat.of().formatHex(sha.digest()));
            return n;
        }

        /** A fresh run's output, or a resumed run's other than its own folder: absent or an empty folder, else one line. */
        void requireEmpty(Path given) throws IOException {
            // a file there was found only when the trained model was written, after the whole run, as a bare path
            if (Files.exists(output) && !Files.isDirectory(output)) throw new IllegalArgumentException("output " + given + " is a file, not a folder");
            if (!Files.isDirectory(output)) return;
            try (Stream<Path> s = Files.list(output)) {
                if (s.findAny().isPresent()) {
                    throw new IllegalArgumentException("output folder " + given + " exists and is not empty (--resume " + given + " continues a run there)");
                }
            }
        }

        /** Whether {@code dir} is the run whose checkpoint is {@code checkpoint}: that folder itself, or the one holding it as checkpoint/. */
        static boolean isRunFolder(Path dir, Path checkpoint) throws IOException {
            if (!Files.isDirectory(dir)) return false;
            if (Files.isSameFile(dir, checkpoint)) return true;
            Path parent = checkpoint.getParent();
            return parent != null && checkpoint.getFileName().toString().equals(CHECKPOINT) && Files.isSameFile(dir, parent);
        }

        // ---- the loop: steps, epochs, evaluation and checkpoints in order; stops on a non-finite loss -----------

        Summary run() throws IOException {
            try {
                return train();
            } finally {
                if (scratch != null) deleteTree(scratch);
            }
        }

        Summary train() throws IOException {
            trainData = fingerprint(train);
            JsonNode savedData = state == null ? null : state.get(TRAIN_DATA);
            if (savedData != null && trainData != null && !(savedData.path("bytes").asLong() == trainData.get("bytes").asLong()
                    && savedData.path("sha256").asText().equals(trainData.get("sha256").asText()))) {      // a checkpoint from before the fingerprint resumes as it did
                throw new IllegalArgumentException("--train " + train + " is not the data the run in " + from + " was trained on ("
                        + savedData.path("bytes").asLong() + " bytes, sha256 " + savedData.path("sha256").asText() + "): resume with the same file");
            }
            List<TrainingData.Record> records = TrainingData.read(train, objective);
            labelKind = TrainingData.labelKind(records, train);
            // a new head's note waits until the data has passed every check: a run refused for its data says one line
            List<String> headNotes = new ArrayList<>();
            if (objective.labelled() && state == null) {                              // a new head converts the model already
                refuseTheOtherClassifier();
                from = NewHead.ifNone(from, objective, records, labelKind, train, o.seed(), this::scratch, new Listener() {
                    @Override
                    public void warning(String line) {
                        headNotes.add(line);
                    }
                });
            }
            if (state == null) asHuggingFaceFolder();
            int maxLength;
            Tokenizer tokenizer;
            try (Checkpoint c = Checkpoint.open(from)) {
                model = objective.load(c).orElseThrow(() -> new IllegalArgumentException("model " + from + " has no " + objective.task().name()
                        + " head to train for '" + objective.id() + "'"));
                maxLength = c.maxLength();
                tokenizer = c.tokenizer();
            }
            checkArchitecture();
            if (objective.labelled()) chooseLabels(records);
            TrainingData.Tokenization t = new TrainingData.Tokenization(tokenizer, maxLength, o.truncate(), o.blocks());
            trainSeqs = TrainingData.tokenize(records, objective, labels, problem, t, train.toString(), listener::warning);
            if (eval != null) {
                List<TrainingData.Record> evalRecords = TrainingData.read(eval, objective, "evaluation");
                TrainingData.labelKind(evalRecords, eval);
                evalSeqs = TrainingData.tokenize(evalRecords, objective, labels, problem, t, eval.toString(), listener::warning);
            } else {
                evalSeqs = List.of();
            }
            headNotes.forEach(listener::warning);
            masking = Masking.bert(tokenizer.maskId(), tokenizer.vocabSize()).withWholeWord(o.wholeWord());

            int total = totalSteps();
            if (state != null && state.get("step").asInt() >= total) {   // nothing to do: no folder, log or summary of a run that did not run
                throw new IllegalArgumentException("the run in " + resumed + " already finished all " + total + " step" + (total == 1 ? "" : "s")
                        + "; to train its model further, start a new run with --model " + resumed);
            }
            optimizer = new AdamW(o.weightDecay());
            trainer = new Trainer(objective.trainable(model), optimizer,
                    new LinearSchedule(o.learningRate(), (int) Math.ceil(o.warmupRatio() * total), total), o.maxGradNorm(), o.gradAccum(), Kernels.get());
            Path configJson = from.resolve("config.json");
            trainer.dropout(dropoutRates(o.dropout(), Files.isRegularFile(configJson) ? JSON.readTree(configJson.toFile()) : null, objective, o.seed()));
            freezePositionsIfNone();
            int epoch = 0, batch = 0;
            if (state != null) {
                try (SafetensorsCheckpoint f = SafetensorsCheckpoint.open(from.resolve(OPTIMIZER))) {
                    Map<String, FloatTensor> saved = new HashMap<>();
                    for (String n : f.names()) saved.put(n, f.load(n));
                    optimizer.restore(state.get("step").asInt(), saved);
                }
                epoch = state.get("epoch").asInt();
                completedEpochs = epoch;
                batch = state.get("batch").asInt();
                tokens = state.path("tokens").asLong();
                readCurve();
            }
            Files.createDirectories(output);
            listener.started(total, optimizer.steps(), trainSeqs.size());
            Map<String, Object> lastEval = Map.of();
            boolean evaluatedLast = false;
            double reached = epoch;                         // the last step's epoch, fractional as the step lines log it
            for (; optimizer.steps() < total; epoch++, batch = 0) {
                List<int[]> plan = Batches.plan(trainSeqs, o.batchTokens(), o.seed(), epoch, true);
                while (batch < plan.size() && optimizer.steps() < total) {
                    int n = Math.min(o.gradAccum(), plan.size() - batch);
                    List<Trainer.Example> micro = new ArrayList<>(n);
                    long stepTokens = 0;
                    for (int i = batch; i < batch + n; i++) {
                        micro.add(objective.example(Batches.of(trainSeqs, plan.get(i)), masking, Batches.random(o.seed(), epoch, i), problem));
                        stepTokens += micro.getLast().batch().tokens();
                    }
                    long t0 = System.nanoTime();
                    Trainer.Step s;
                    try {
                        s = n == o.gradAccum() ? trainer.step(micro) : trainer.lastStep(micro);
                    } catch (IllegalStateException notFinite) {
                        // the loss is checked before the step, but an earlier step may already have made the weights Inf/NaN
                        // (too high a learning rate): those are not saved as "good", and an earlier checkpoint stays
                        String bad = firstNonFinite();
                        if (bad != null) throw new IllegalStateException(notFinite.getMessage() + "; they are not finite either (" + bad + "): " + noCheckpointSaved());
                        saveCheckpoint(epoch, batch);
                        throw new IllegalStateException(notFinite.getMessage() + "; the last good weights are saved in " + output.resolve(CHECKPOINT));
                    }
                    double dt = (System.nanoTime() - t0) / 1e9;
                    seconds += dt;
                    tokens += stepTokens;
                    batch += n;
                    evaluatedLast = false;
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("step", s.step());
                    reached = round(epoch + (double) batch / plan.size());
                    entry.put("epoch", reached);
                    entry.put("loss", s.loss());
                    entry.put("learning_rate", s.learningRate());
                    entry.put("grad_norm", s.gradNorm());
                    entry.put("tokens", stepTokens);
                    entry.put("tokens_per_second", round(stepTokens / Math.max(dt, 1e-9)));
                    log(entry);
                    curve.add(new LossCurve.Point(s.step(), s.loss()));
                    listener.step(entry, total);
                    if (stop.getAsBoolean()) {
                        saveCheckpoint(epoch, batch);
                        return finish(total, lastEval, true);
                    }
                }
                if (batch >= plan.size()) {
                    if (!evalSeqs.isEmpty()) {
                        lastEval = evaluate(epoch + 1.0);
                        evaluatedLast = true;
                    }
                    completedEpochs = epoch + 1;
                    saveCheckpoint(epoch + 1, 0);
                }
                if (optimizer.steps() >= total) {
                    if (batch < plan.size()) saveCheckpoint(epoch, batch);
                    break;
                }
            }
            // a --max-steps run stopped inside an epoch: its evaluation at the epoch it reached (HF Trainer's fractional epoch)
            if (!evalSeqs.isEmpty() && !evaluatedLast) lastEval = evaluate(reached);
            return finish(total, lastEval, false);
        }

        /** The end of the message for weights not saved: which checkpoint stays, and what to try. */
        String noCheckpointSaved() {
            Path kept = output.resolve(CHECKPOINT);
            return "no checkpoint was saved" + (Files.isDirectory(kept) ? " (the one in " + kept + " is from an earlier step)" : "") + "; try a lower --lr";
        }

        /** The name of a trained weight holding Inf or NaN, or null when all are finite. */
        String firstNonFinite() {
            for (Map.Entry<String, FloatTensor> e : trainer.parameters().all().entrySet()) {
                FloatTensor t = e.getValue();
                float[] d = t.data();
                for (int i = t.offset(); i < t.offset() + t.size(); i++) if (!Float.isFinite(d[i])) return e.getKey();
            }
            return null;
        }

        // ---- before the first step: the model's folder, the schedule's length, the labels and the head --------

        /**
         * A model in a format without config.json (the catalogue's TensorFlow and ONNX folders, e.g. bert-base-uncased):
         * converted once into a scratch Hugging Face folder, which the run reads and whose config and tokenizer files its
         * output carries. Without it {@code train mlm --model bert-base-uncased} failed on the missing config.json.
         */
        void asHuggingFaceFolder() throws IOException {
            if (Files.isRegularFile(from.resolve("config.json"))) return;
            from = dev.mlm4j.convert.Converter.convert(from, scratch().resolve("hf"), false).folder();
        }

        /** The run's scratch folder, made on first use and deleted when the run ends. */
        Path scratch() throws IOException {
            if (scratch == null) scratch = Files.createTempDirectory("mlm4j-train-");
            return scratch;
        }

        /**
         * A model without position embeddings (config.json's {@link FromScratch#NO_POSITIONS_KEY} "none", written by
         * {@code --from-scratch --no-position-embeddings}): its position table is zero and stays zero (frozen), so
         * transformers, which adds the table, computes the same model.
         */
        void freezePositionsIfNone() throws IOException {
            JsonNode config = JSON.readTree(from.resolve("config.json").toFile());
            if (!config.path(FromScratch.NO_POSITIONS_KEY).asText("").equals("none")) return;
            String name = "bert.embeddings.position_embeddings.weight";
            FloatTensor table = trainer.parameters().get(name);
            if (table == null) throw new IllegalArgumentException("model " + from + " says " + FromScratch.NO_POSITIONS_KEY + " none but has no " + name);
            float[] d = table.data();
            for (int i = table.offset(); i < table.offset() + table.size(); i++) {
                if (d[i] != 0f) throw new IllegalArgumentException("model " + from + " says " + FromScratch.NO_POSITIONS_KEY + " none but its position table is not zero");
            }
            trainer.freeze(java.util.Set.of(name));
        }

        /**
         * The schedule's length: max steps, else each epoch's batches in groups of the accumulation. Counted in long and
         * refused past {@link Integer#MAX_VALUE} (an int wrapped to a wrong or negative count); an epoch has at least
         * ⌈tokens / batch-tokens⌉ batches, so a hopeless --epochs is refused before planning every epoch.
         */
        int totalSteps() {
            if (o.maxSteps() > 0) return o.maxSteps();
            long tokens = 0;
            for (Sequence q : trainSeqs) tokens += q.length();
            long atLeast = ((tokens + o.batchTokens() - 1) / o.batchTokens() + o.gradAccum() - 1) / o.gradAccum();
            if (Math.max(1, atLeast) * o.epochs() > Integer.MAX_VALUE) throw tooManySteps();
            long total = 0;
            for (int e = 0; e < o.epochs(); e++) {
                total += (Batches.plan(trainSeqs, o.batchTokens(), o.seed(), e, true).size() + o.gradAccum() - 1) / o.gradAccum();
                if (total > Integer.MAX_VALUE) throw tooManySteps();
            }
            return (int) total;
        }

        IllegalArgumentException tooManySteps() {
            return new IllegalArgumentException("--epochs " + o.epochs() + " makes more than " + Integer.MAX_VALUE + " steps of " + trainSeqs.size()
                    + " sequences: use fewer epochs (or --max-steps)");
        }

        /**
         * A token classifier given to classify/pairs (or a sequence classifier to tag) has a {@code classifier.*}, so it
         * looked like it had the head and no new one was started; the run then failed on a missing pooler. Refused as
         * {@link #checkArchitecture} refuses it, before {@link NewHead}: TRAINING.md promises a new head to models without
         * one (encoders, masked LMs, QA), and a head for another task is refused.
         */
        void refuseTheOtherClassifier() throws IOException {
            Path configJson = from.resolve("config.json");
            if (!Files.isRegularFile(configJson)) return;
            JsonNode arch = JSON.readTree(configJson.toFile()).path("architectures");
            String want = objective == Objective.TAG ? "ForTokenClassification" : "ForSequenceClassification";
            String other = objective == Objective.TAG ? "ForSequenceClassification" : "ForTokenClassification";
            if (arch.isArray() && !arch.isEmpty() && arch.get(0).asText().endsWith(other)) {
                throw new IllegalArgumentException("model " + from + " is a " + arch.get(0).asText() + ": '" + objective.id()
                        + "' needs a model with a " + objective.task().name() + " head (*" + want + ") or a plain encoder");
            }
        }

        /**
         * A sequence classifier and a token classifier share their weights' names ({@code classifier.*}): the config's
         * {@code architectures} tells them apart, so a classifier is not trained for the other task.
         */
        void checkArchitecture() throws IOException {
            if (objective == Objective.MLM && ((dev.mlm4j.model.MaskedLanguageModel) model).encoder().config().isDecoder()) {
                throw new IllegalArgumentException("model " + from + " is a causal language model (config.json: \"is_decoder\": true): "
                        + "'mlm' needs a bidirectional model (train it further with 'clm')");
            }
            if (!objective.labelled()) return;
            String want = objective == Objective.TAG ? "ForTokenClassification" : "ForSequenceClassification";
            JsonNode config = JSON.readTree(from.resolve("config.json").toFile()), arch = config.path("architectures");
            String problem = config.path("problem_type").asText("single_label_classification");
            if (objective == Objective.TAG && !problem.equals("single_label_classification")) {
                throw new IllegalArgumentException("model " + from + " is for " + problem + ": 'tag' trains one label per word");
            }
            if (arch.isArray() && !arch.isEmpty() && !arch.get(0).asText().endsWith(want)) {
                throw new IllegalArgumentException("model " + from + " is a " + arch.get(0).asText() + ": '" + objective.id()
                        + "' needs a model with a " + objective.task().name() + " head (*" + want + ")");
            }
        }

        /**
         * The model's id2label, or the training file's labels sorted when the model's are placeholders of the same count;
         * for classify/pairs first the problem type (config.json's, else one output → regression, else the file's kind),
         * each training label checked to be of its kind. A regression keeps the outputs' names.
         */
        void chooseLabels(List<TrainingData.Record> records) throws IOException {
            Path config = from.resolve("config.json");
            ClassificationConfig cc = ClassificationConfig.fromJson(JSON.readTree(config.toFile()), config.toString());
            LabelMap model = new LabelMap(cc.labels());
            if (objective != Objective.TAG) {
                problem = ProblemType.of(cc.problemType());
                if (problem == null) {
                    // transformers' inference from the labels (one output: regression), the file's kind as run_classification reads it
                    problem = cc.numLabels() == 1 ? ProblemType.REGRESSION : labelKind == null ? ProblemType.SINGLE_LABEL_CLASSIFICATION : labelKind.problem();
                    writeProblem = problem != ProblemType.SINGLE_LABEL_CLASSIFICATION;
                }
            }
            if (objective != Objective.TAG) TrainingData.requireFits(records, problem, model.size(), train.toString());
            if (problem == ProblemType.REGRESSION) {           // outputs, not names: the file's numbers go to them in order
                labels = model;
                return;
            }
            List<String> data = TrainingData.labels(records);
            if (model.placeholders() && !data.equals(model.labels())) {
                if (data.size() != model.size()) {
                    throw new IllegalArgumentException("the training file has " + data.size() + " labels " + data + " but the model's classifier has "
                            + model.size() + " outputs without names");
                }
                labels = new LabelMap(data);
                renameLabels = true;
            } else {
                labels = model;
            }
        }

        // ---- evaluation, the log and the loss curve ----------------------------------------------------------

        /** The evaluation file's metrics after {@code epoch} ({@link TrainingEvaluation}), logged and drawn on the curve. */
        Map<String, Object> evaluate(double epoch) throws IOException {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("step", optimizer.steps());
            entry.put("epoch", epoch);
            entry.putAll(new TrainingEvaluation(objective, model, masking, o, problem, labels).metrics(evalSeqs));
            log(entry);
            evalCurve.add(new LossCurve.Point(optimizer.steps(), (double) entry.get("eval_loss")));
            listener.evaluated(entry);
            return entry;
        }

        void log(Map<String, Object> entry) throws IOException {
            try (BufferedWriter w = Files.newBufferedWriter(output.resolve(LOG), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                w.write(JSON.writeValueAsString(entry));
                w.newLine();
            }
        }

        /**
         * The log and curve a resumed run continues: the entries up to the checkpoint's step, from the output folder's log,
         * else (resuming into a new folder) from the resumed run's. They are written back as the output's log, so a new
         * folder's log starts at step 1, not at the resumed step, and steps logged after the checkpoint (a run killed
         * between checkpoints) are not logged twice.
         */
        void readCurve() throws IOException {
            Path log = output.resolve(LOG);
            if (!Files.isRegularFile(log)) {
                Path run = resumed.getFileName() != null && resumed.getFileName().toString().equals(CHECKPOINT) ? resumed.getParent() : resumed;
                log = run == null ? null : run.resolve(LOG);
                if (log == null || !Files.isRegularFile(log)) return;
            }
            int upTo = optimizer.steps();
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                JsonNode n = JSON.readTree(line);
                if (n.path("step").asInt() > upTo) continue;
                kept.add(line);
                if (n.has("loss")) curve.add(new LossCurve.Point(n.get("step").asInt(), n.get("loss").asDouble()));
                if (n.has("eval_loss")) evalCurve.add(new LossCurve.Point(n.get("step").asInt(), n.get("eval_loss").asDouble()));
            }
            Files.createDirectories(output);
            Path tmp = StagingFiles.newFile(output, "." + LOG, ".tmp");
            try {
                Files.write(tmp, kept, StandardCharsets.UTF_8);
                Files.move(tmp, output.resolve(LOG), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }

        // ---- what a run leaves behind: the model folder, checkpoints, the summary -----------------------------

        /** The model folder's files in {@code dir}: weights, the start's tokenizer files, config.json with the label names. */
        void writeModel(Path dir) throws IOException {
            trainer.writeModel(from, dir);
            if (objective == Objective.CLM) {
                // a causal LM says so: transformers loads it as BertLMHeadModel with the causal mask in every layer, and so
                // does mlm4j (BertModel under is_decoder); the weights' names are BertForMaskedLM's
                ObjectNode config = (ObjectNode) JSON.readTree(from.resolve("config.json").toFile());
                config.putArray("architectures").add(dev.mlm4j.model.BertFamily.CAUSAL_LM);
                config.put("is_decoder", true);
                Files.writeString(dir.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
            }
            if (renameLabels || writeProblem) {
                ObjectNode config = (ObjectNode) JSON.readTree(from.resolve("config.json").toFile());
                if (writeProblem) config.put("problem_type", problem.id());
                ObjectNode id2label = JSON.createObjectNode(), label2id = JSON.createObjectNode();
                for (int i = 0; i < labels.size(); i++) {
                    id2label.put(String.valueOf(i), labels.labels().get(i));
                    label2id.put(labels.labels().get(i), i);
                }
                if (renameLabels) {
                    config.set("id2label", id2label);
                    config.set("label2id", label2id);
                }
                Files.writeString(dir.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
            }
        }

        /**
         * checkpoint/: the model and where the run stands, written beside it and swapped in. Weights that are no longer
         * finite (a step at too high a learning rate) are not: they would replace a good checkpoint with a useless one.
         */
        void saveCheckpoint(int epoch, int batch) throws IOException {
            String bad = firstNonFinite();
            if (bad != null) {
                throw new IllegalStateException("the weights are not finite after step " + optimizer.steps() + " (" + bad + "): training stopped, "
                        + noCheckpointSaved());
            }
            Files.createDirectories(output);
            Path tmp = StagingFiles.newFolder(output, "." + CHECKPOINT + ".tmp-");
            writeModel(tmp);
            SafetensorsWriter.write(tmp.resolve(OPTIMIZER), optimizer.moments(), Map.of("source", "mlm4j AdamW moments"));
            ObjectNode s = JSON.createObjectNode();
            s.put("task", objective.id());
            s.put("step", optimizer.steps());
            s.put("epoch", epoch);
            s.put("batch", batch);
            s.put("tokens", tokens);
            s.set("options", JSON.valueToTree(o));
            if (labels != null) s.set("labels", JSON.valueToTree(labels.labels()));
            if (trainData != null) s.set(TRAIN_DATA, trainData);
            Files.writeString(tmp.resolve(STATE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(s));
            Path target = output.resolve(CHECKPOINT);
            Path old = null;
            if (Files.exists(target)) {
                old = output.resolve("." + CHECKPOINT + ".old-" + System.nanoTime());
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            if (old != null) deleteTree(old);
        }

        Summary finish(int total, Map<String, Object> lastEval, boolean interrupted) throws IOException {
            Path tmp = StagingFiles.newFolder(output, ".model.tmp-");
            writeModel(tmp);
            try (Stream<Path> files = Files.list(tmp)) {
                for (Path f : files.toList()) Files.move(f, output.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.delete(tmp);
            LossCurve.write(output.resolve(CURVE), curve, evalCurve);
            double last = curve.isEmpty() ? Double.NaN : curve.getLast().loss();
            return new Summary(objective.id(), optimizer.steps(), total, completedEpochs, last, lastEval, output, output.resolve(CHECKPOINT), interrupted, tokens, seconds);
        }
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }

    /** The task names {@link #run} takes. */
    public static List<String> tasks() {
        List<String> out = new ArrayList<>();
        for (Objective o : Objective.values()) out.add(o.id());
        return out;
    }
}
