package dev.mlm4j.train;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.Precision;
import dev.mlm4j.config.ProblemType;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.BinaryCrossEntropyWithLogits;
import dev.mlm4j.layers.CrossEntropy;
import dev.mlm4j.layers.MeanSquaredError;
import dev.mlm4j.model.BertForMaskedLM;
import dev.mlm4j.model.TrainableEncoder;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.model.EncoderOutput;
import dev.mlm4j.model.ForwardOptions;
import dev.mlm4j.model.MaskedLanguageModel;
import dev.mlm4j.model.SequenceClassifier;
import dev.mlm4j.model.Task;
import dev.mlm4j.model.TokenClassifier;
import dev.mlm4j.model.Trainable;
import dev.mlm4j.tensor.FloatTensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * What a training run teaches the model, and how a batch of {@link Sequence}s becomes its inputs and labels:
 * <ul>
 * <li>{@link #MLM}: masked-language modelling, {@link Masking} (15 %, 80/10/10, optionally whole words);</li>
 * <li>{@link #CLM}: causal-language modelling with the same model under a causal mask ({@link CausalLm});</li>
 * <li>{@link #CLASSIFY}, {@link #PAIRS}: one label per text (or text pair), transformers' {@code BertForSequenceClassification};</li>
 * <li>{@link #TAG}: one label per word on its first piece, transformers' {@code BertForTokenClassification} as {@code run_ner} trains it.</li>
 * </ul>
 */
public enum Objective {
    MLM(Task.MASKED_LM), CLM(Task.MASKED_LM), CLASSIFY(Task.SEQUENCE_CLASSIFICATION), TAG(Task.TOKEN_CLASSIFICATION), PAIRS(Task.SEQUENCE_CLASSIFICATION);

    private final Task<?> task;

    Objective(Task<?> task) {
        this.task = task;
    }

    /** The model a checkpoint must provide (its head). */
    public Task<?> task() {
        return task;
    }

    /** The command-line name: mlm, clm, classify, tag, pairs. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** By {@link #id()}; an unknown name is a one-line error listing the known ones. */
    public static Objective of(String id) {
        for (Objective o : values()) if (o.id().equals(id)) return o;
        throw new IllegalArgumentException("unknown training task '" + id + "': use one of " + Arrays.stream(values()).map(Objective::id).toList());
    }

    /** Whether examples carry labels from the data (a label map), rather than from the text itself. */
    public boolean labelled() {
        return this == CLASSIFY || this == TAG || this == PAIRS;
    }

    /** The checkpoint's model for this objective at fp32, as the {@link Trainer} trains it; empty when it lacks the head. */
    public java.util.Optional<Object> load(Checkpoint c) {
        return c.load(task, Precision.FP32).map(m -> (Object) m);
    }

    /** The trainable view of a model {@link #load}ed for this objective ({@link CausalLm} for CLM). */
    public Trainable trainable(Object model) {
        if (this == CLM && model instanceof BertForMaskedLM m) return new CausalLm(m);
        if (this == CLM && model instanceof Trainable) {
            // the folder clm writes is transformers' BertLMHeadModel (is_decoder); RobertaForCausalLM is not written yet
            throw new IllegalArgumentException("'clm' trains BERT models (saved as transformers' BertLMHeadModel); a "
                    + model.getClass().getSimpleName() + " trains with 'mlm', 'classify', 'pairs' or 'tag'");
        }
        if (this != CLM && model instanceof Trainable t) return t;
        throw new IllegalArgumentException("training covers BERT, RoBERTa, XLM-RoBERTa, DistilBERT, DeBERTa and ModernBERT models (classify, pairs and tag ELECTRA too); "
                + TrainableEncoder.untrained(model));
    }

    /**
     * The packed micro-batch of {@code sequences} with this objective's labels; MLM draws its masks from {@code random}
     * (one generator per batch, seeded by the caller, so a batch's masks depend only on the seed and its position).
     */
    public Trainer.Example example(List<Sequence> sequences, Masking masking, SplittableRandom random) {
        return example(sequences, masking, random, ProblemType.SINGLE_LABEL_CLASSIFICATION);
    }

    /**
     * As above; a sequence classifier's {@code problem} regression or multi-label takes each sequence's float
     * {@link Sequence#targets()}, concatenated in batch order.
     */
    public Trainer.Example example(List<Sequence> sequences, Masking masking, SplittableRandom random, ProblemType problem) {
        if ((this == CLASSIFY || this == PAIRS) && problem != ProblemType.SINGLE_LABEL_CLASSIFICATION) {
            int[][] ids = sequences.stream().map(Sequence::ids).toArray(int[][]::new), types = sequences.stream().map(Sequence::typeIds).toArray(int[][]::new);
            int width = sequences.getFirst().targets().length;
            float[] targets = new float[sequences.size() * width];
            for (int i = 0; i < sequences.size(); i++) System.arraycopy(sequences.get(i).targets(), 0, targets, i * width, width);
            return new Trainer.Example(Batch.of(ids, types), targets, problem);
        }
        int[][] ids = new int[sequences.size()][], types = new int[sequences.size()][];
        List<int[]> labels = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            Sequence s = sequences.get(i);
            ids[i] = s.ids();
            types[i] = s.typeIds();
            switch (this) {
                case MLM -> {
                    Masking.Masked m = masking.apply(s, random);
                    ids[i] = m.ids();
                    labels.add(m.labels());
                }
                case CLASSIFY, PAIRS, TAG -> labels.add(s.labels());
                case CLM -> { }
            }
        }
        if (this == MLM && labels.stream().flatMapToInt(Arrays::stream).allMatch(l -> l == CrossEntropy.IGNORE_INDEX)) {
            maskOne(sequences, ids, labels, masking, random);   // as the whole-word collator's max(1, …): never a batch with nothing to predict
        }
        Batch batch = Batch.of(ids, types);
        int[] flat = this == CLM ? CausalLm.nextTokens(batch) : labels.stream().flatMapToInt(Arrays::stream).toArray();
        return new Trainer.Example(batch, flat);
    }

    /** Labels one maskable token of the batch, drawn uniformly, and replaces it with [MASK]. */
    private static void maskOne(List<Sequence> sequences, int[][] ids, List<int[]> labels, Masking masking, SplittableRandom random) {
        List<int[]> candidates = new ArrayList<>();
        for (int s = 0; s < sequences.size(); s++) {
            for (int i = 0; i < ids[s].length; i++) if (!sequences.get(s).special()[i]) candidates.add(new int[] {s, i});
        }
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("a batch of " + sequences.size() + " sequence(s) from line " + sequences.getFirst().line() + " has no token to mask (empty texts?)");
        }
        int[] at = candidates.get(random.nextInt(candidates.size()));
        labels.get(at[0])[at[1]] = sequences.get(at[0]).ids()[at[1]];
        ids[at[0]][at[1]] = masking.maskId();
    }

    /** Evaluation counts of one batch: summed loss, correct predictions and labelled rows, and each row's (label, prediction). */
    public record Counts(double lossSum, int correct, int rows, int[] gold, int[] predicted) {}

    /** The inference forward's loss and predictions on an {@link #example} (no gradients). */
    public Counts evaluate(Object model, Trainer.Example e, Kernels k) {
        int[] labels = e.labels();
        int[] rows = this == CLASSIFY || this == PAIRS ? IntStream.range(0, labels.length).toArray()
                : IntStream.range(0, labels.length).filter(i -> labels[i] != CrossEntropy.IGNORE_INDEX).toArray();
        FloatTensor logits;
        switch (this) {
            case MLM, CLM -> {
                MaskedLanguageModel m = (MaskedLanguageModel) model;
                EncoderOutput out = m.encoder().forward(k, e.batch(), ForwardOptions.causal(this == CLM));
                logits = m.logits(out, rows);
            }
            case CLASSIFY, PAIRS -> {
                SequenceClassifier m = (SequenceClassifier) model;
                logits = m.logits(k, m.encoder().forward(k, e.batch(), ForwardOptions.DEFAULT));
            }
            case TAG -> {
                TokenClassifier m = (TokenClassifier) model;
                FloatTensor all = m.logits(m.encoder().forward(k, e.batch(), ForwardOptions.DEFAULT));
                logits = FloatTensor.zeros(rows.length, all.dim(1));
                for (int i = 0; i < rows.length; i++) System.arraycopy(all.data(), all.rowOffset(rows[i]), logits.data(), logits.rowOffset(i), all.dim(1));
            }
            default -> throw new AssertionError(this);
        }
        int c = logits.dim(1), correct = 0;
        int[] gold = new int[rows.length], predicted = new int[rows.length];
        double loss = 0;
        float[] d = logits.data();
        for (int i = 0; i < rows.length; i++) {
            int o = logits.rowOffset(i), best = 0;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) if (d[o + j] > max) { max = d[o + j]; best = j; }
            double sum = 0;
            for (int j = 0; j < c; j++) sum += Math.exp(d[o + j] - max);
            gold[i] = labels[rows[i]];
            predicted[i] = best;
            loss += max + Math.log(sum) - d[o + gold[i]];
            if (best == gold[i]) correct++;
        }
        return new Counts(loss, correct, rows.length, gold, predicted);
    }

    /**
     * Evaluation of a regression or multi-label batch ({@link Trainer.Example#targets()}): the summed loss over its
     * elements (squared errors, or binary cross-entropies), the logits and the targets, both row-major (sequences × labels).
     */
    public record Scores(double lossSum, float[] logits, float[] targets) {}

    /** The inference forward's logits and loss on a sequence classifier's float-target {@link #example} (no gradients). */
    public Scores score(Object model, Trainer.Example e, Kernels k) {
        SequenceClassifier m = (SequenceClassifier) model;
        FloatTensor logits = m.logits(k, m.encoder().forward(k, e.batch(), ForwardOptions.DEFAULT));
        FloatTensor scratch = FloatTensor.zeros(logits.dim(0), logits.dim(1));
        double mean = switch (e.problem()) {
            case REGRESSION -> MeanSquaredError.lossAndGradient(logits, e.targets(), scratch);
            case MULTI_LABEL_CLASSIFICATION -> BinaryCrossEntropyWithLogits.lossAndGradient(logits, e.targets(), scratch);
            case SINGLE_LABEL_CLASSIFICATION -> throw new IllegalArgumentException("single-label classification is scored by evaluate()");
        };
        return new Scores(mean * e.targets().length, logits.toArray(), e.targets());
    }
}
