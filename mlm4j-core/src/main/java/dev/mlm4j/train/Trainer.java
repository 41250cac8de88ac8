package dev.mlm4j.train;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.ProblemType;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.model.Trainable;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The training loop of Hugging Face's Trainer, on one model: each optimiser step runs the forward and backward pass of
 * {@code accumulation} micro-batches into one set of gradients, averages them (as the Trainer divides each loss by the
 * accumulation steps), clips them by global norm, and takes an AdamW step at the schedule's learning rate. Dropout is
 * off unless {@link #dropout} turns it on. Not thread-safe; the kernels parallelise each pass.
 */
public final class Trainer {
    /**
     * A micro-batch and its labels, as the model's {@link Trainable#lossAndGradients} takes them: class ids
     * ({@code labels}, {@link ProblemType#SINGLE_LABEL_CLASSIFICATION}; also MLM's and token classification's −100
     * rows), or float {@code targets} per sequence (regression values, multi-hot rows) scored as {@code problem} says.
     */
    public record Example(Batch batch, int[] labels, float[] targets, ProblemType problem) {
        public Example(Batch batch, int[] labels) {
            this(batch, labels, null, ProblemType.SINGLE_LABEL_CLASSIFICATION);
        }

        /** Float targets, row-major (sequences × labels), for regression or multi-label classification. */
        public Example(Batch batch, float[] targets, ProblemType problem) {
            this(batch, new int[0], targets, problem);
        }
    }

    /** What one optimiser step did: the mean loss of its micro-batches, the learning rate, the gradient norm before clipping. */
    public record Step(int step, double loss, double learningRate, double gradNorm) {}

    private final Trainable model;
    private final Parameters parameters;
    private final AdamW optimizer;
    private final LinearSchedule schedule;
    private final double maxGradNorm;
    private final int accumulation;
    private final Kernels kernels;
    private Dropout dropout = Dropout.OFF;
    /** The gradients, kept across steps and zeroed before each ({@link Gradients#zero()}), not made anew. */
    private final Gradients gradients = new Gradients();

    /**
     * @param maxGradNorm  clip the gradients' global norm to this (as {@code clip_grad_norm_}); 0 or less: no clipping
     * @param accumulation micro-batches per optimiser step (gradient accumulation), at least 1
     */
    public Trainer(Trainable model, AdamW optimizer, LinearSchedule schedule, double maxGradNorm, int accumulation, Kernels kernels) {
        if (accumulation < 1) throw new IllegalArgumentException("gradient accumulation needs at least 1 micro-batch, got " + accumulation);
        this.model = model;
        this.parameters = model.parameters();
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.maxGradNorm = maxGradNorm;
        this.accumulation = accumulation;
        this.kernels = kernels;
    }

    private java.util.Set<String> frozen = java.util.Set.of();

    /**
     * Keeps the parameters of these names where they are: their gradients are zeroed before clipping, so they count
     * in neither the norm nor AdamW's update (a zero gradient from the start leaves AdamW's moments zero, and weight
     * decay of a zero tensor is zero). Used for the position table of a model without position embeddings.
     */
    public void freeze(java.util.Set<String> names) {
        for (String n : names) if (parameters.get(n) == null) throw new IllegalArgumentException("no parameter '" + n + "' to freeze");
        this.frozen = java.util.Set.copyOf(names);
    }

    /**
     * Trains with {@code dropout} from the next step on (transformers' train mode): each micro-batch gets its own masks,
     * drawn from the dropout's seed, the step and the micro-batch's place in it, so a run is reproducible by seed.
     * {@link Dropout#OFF} (the default) trains without.
     */
    public Trainer dropout(Dropout dropout) {
        this.dropout = dropout;
        return this;
    }

    /** The gradients of the last step, by full name (before clipping): the tensors the run reuses, step after step (for tests). */
    Gradients gradients() {
        return gradients;
    }

    /** The parameters being trained, by transformers' name (the model's live tensors). */
    public Parameters parameters() {
        return parameters;
    }

    /**
     * One optimiser step over {@code microBatches} (as many as the accumulation asks for). A loss that is not finite
     * stops the run before the step, so the weights stay the last good ones.
     */
    public Step step(List<Example> microBatches) {
        if (microBatches.size() != accumulation) {
            throw new IllegalArgumentException(microBatches.size() + " micro-batches for a step that accumulates " + accumulation);
        }
        return stepOver(microBatches);
    }

    /**
     * An epoch's last step, over the 1 … accumulation micro-batches left (Hugging Face's Trainer steps on a shorter
     * last group too); their gradients are averaged over how many there are.
     */
    public Step lastStep(List<Example> microBatches) {
        if (microBatches.isEmpty() || microBatches.size() > accumulation) {
            throw new IllegalArgumentException(microBatches.size() + " micro-batches for a step that accumulates up to " + accumulation);
        }
        return stepOver(microBatches);
    }

    /** Whether every kept gradient is zero now (the last step's AdamW zeroed those it read), so the next step need not fill them. */
    private boolean gradientsZero;

    private Step stepOver(List<Example> microBatches) {
        int accumulation = microBatches.size();
        int step = optimizer.steps();
        Gradients g = gradients;
        // zero_grad(): a fill of every kept gradient, unless the last step's AdamW left them all zero
        g.zero(gradientsZero ? t -> {} : Parallel::zeroed);
        gradientsZero = false;
        double loss = 0;
        for (int i = 0; i < accumulation; i++) {
            Example e = microBatches.get(i);
            Dropout d = dropout.next((long) step * accumulation + i);
            loss += e.targets() == null ? model.lossAndGradients(kernels, e.batch(), e.labels(), g, d)
                    : model.lossAndGradients(kernels, e.batch(), e.targets(), e.problem(), g, d);
        }
        loss /= accumulation;
        if (!Double.isFinite(loss)) {
            throw new IllegalStateException("loss is " + loss + " at step " + (step + 1) + ": training stopped, the weights are those before this step");
        }
        for (String n : frozen) {
            dev.mlm4j.tensor.FloatTensor d = g.get(n);
            if (d != null) java.util.Arrays.fill(d.data(), d.offset(), d.offset() + d.size(), 0f);
        }
        if (accumulation > 1) GradientClipping.scale(g, 1.0 / accumulation);
        double norm = GradientClipping.globalNorm(g, kernels);
        double lr = schedule.rate(step);
        // clip_grad_norm_'s scaling, applied by AdamW as it reads each gradient (the same products, one pass fewer)
        optimizer.step(parameters, g, lr, maxGradNorm > 0 ? GradientClipping.factor(norm, maxGradNorm) : 1f, true);
        // AdamW zeroed every gradient of a parameter as it read it (a pass over ~440 MB fewer a step for bert-base); kept
        // tensors not written this step are still zero from the last fill; a gradient of no parameter would not be
        gradientsZero = parameters.all().keySet().containsAll(g.all().keySet());
        return new Step(step + 1, loss, lr, norm);
    }

    /** {@code steps} optimiser steps over {@code examples} in order, cycling, {@code accumulation} micro-batches per step. */
    public List<Step> train(List<Example> examples, int steps) {
        if (examples.isEmpty()) throw new IllegalArgumentException("no training examples");
        List<Step> log = new ArrayList<>(steps);
        int next = 0;
        for (int s = 0; s < steps; s++) {
            List<Example> micro = new ArrayList<>(accumulation);
            for (int i = 0; i < accumulation; i++, next = (next + 1) % examples.size()) micro.add(examples.get(next));
            log.add(step(micro));
        }
        return log;
    }

    /** The files of a Hugging Face model folder a saved checkpoint carries over unchanged from the folder it started from. */
    static final List<String> CARRIED = List.of("config.json", "vocab.txt", "tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "added_tokens.json", "sentencepiece.bpe.model", "spiece.model", "merges.txt");

    /**
     * Writes the model's files into the existing folder {@code dir}: {@code model.safetensors} and {@link #CARRIED}'s
     * files copied from {@code from}; the caller makes the folder appear atomically ({@link #save}).
     */
    public void writeModel(Path from, Path dir) throws IOException {
        SafetensorsWriter.write(dir.resolve("model.safetensors"), parameters.all(),
                Map.of("source", "mlm4j Trainer, " + optimizer.steps() + " AdamW steps"));
        for (String name : CARRIED) {
            Path f = from.resolve(name);
            if (Files.isRegularFile(f)) Files.copy(f, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Saves the trained model as a Hugging Face folder {@code out}: {@code model.safetensors} with every parameter under
     * transformers' name, and {@code config.json} and the tokenizer files copied from {@code from} (the folder the model
     * was loaded from: training changes weights, not the architecture or the vocabulary). Written into a temporary folder
     * beside {@code out} and moved into place, so {@code out} is never half-written; an existing non-empty {@code out} is refused.
     */
    public void save(Path from, Path out) {
        Path target = out.toAbsolutePath();
        try {
            if (Files.isDirectory(target)) {
                try (var entries = Files.list(target)) {
                    if (entries.findAny().isPresent()) throw new IllegalArgumentException("output folder " + out + " exists and is not empty");
                }
            }
            Path parent = target.getParent();
            Files.createDirectories(parent);
            Path tmp = dev.mlm4j.util.StagingFiles.newFolder(parent, "." + target.getFileName() + ".tmp-");
            writeModel(from, tmp);
            if (Files.isDirectory(target)) Files.delete(target);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the model to " + out + ": " + e.getMessage(), e);
        }
    }
}
