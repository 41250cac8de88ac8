package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlm4j.config.ClassificationConfig;
import dev.mlm4j.config.ProblemType;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.train.Objective;
import dev.mlm4j.train.TrainingData;
import dev.mlm4j.weights.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@link Training}'s new task head for a model that has none (fine-tuning an encoder or a masked LM for classify, pairs or tag). */
final class NewHead {
    private NewHead() {}

    /** The run's scratch folder, made on first use. */
    interface Scratch {
        Path get() throws IOException;
    }

    /**
     * Fine-tuning from an encoder or a masked LM: a model without the task's head gets a new one, as transformers'
     * {@code from_pretrained(num_labels=…)} does — a classifier (and for classify/pairs a pooler when the encoder
     * has none) drawn from N(0, initializer_range²) with the run's seed, zero biases, the training file's labels
     * sorted as id2label — put on the encoder by the converter ({@code convert --head}) into a scratch folder, which is returned (the
     * folder itself when it has the head).
     */
    static Path ifNone(Path from, Objective objective, List<TrainingData.Record> records, TrainingData.LabelKind labelKind, Path train,
                       long seed, Scratch scratch, Training.Listener listener) throws IOException {
        int hidden;
        boolean decoder;
        dev.mlm4j.model.EncoderFamily family;
        java.util.function.Predicate<String> has;
        try (Checkpoint c = Checkpoint.open(from)) {
            if (c.has(objective.task())) return from;
            hidden = c.config().hiddenSize();
            decoder = c.config().isDecoder();
            family = c.family();
            java.util.Set<String> names = java.util.Set.copyOf(c.tensors().names());
            has = names::contains;
        }
        String architecture = family.head(objective.task()).map(dev.mlm4j.model.Head::architecture).orElse(null);
        Map<String, int[]> shapes = family.newHead(objective.task(), hidden, 1);
        if (architecture == null || shapes.isEmpty()) {
            throw new IllegalArgumentException("model " + from + " has no " + objective.task().name() + " head, and mlm4j starts new heads on BERT,"
                    + " RoBERTa, XLM-RoBERTa, ELECTRA, DistilBERT, DeBERTa-v2/v3 and ModernBERT models only (this is a '" + family.modelType() + "' model)");
        }
        ProblemType fresh = labelKind == null ? ProblemType.SINGLE_LABEL_CLASSIFICATION : labelKind.problem();
        List<String> names = fresh == ProblemType.REGRESSION ? placeholders(records.getFirst().values().length) : TrainingData.labels(records);
        if (names.isEmpty()) throw new IllegalArgumentException("the training file " + train + " names no label (every \"label\" list is empty)");
        Path config = from.resolve("config.json");
        double range = Files.isRegularFile(config) ? Training.JSON.readTree(config.toFile()).path("initializer_range").asDouble(0.02) : 0.02;
        java.util.Random random = new java.util.Random(seed);
        Map<String, FloatTensor> tensors = new java.util.TreeMap<>();
        // the family's head tensors the model lacks (BERT's pooler may be there), in the family's order: matrices
        // drawn N(0, range²) one after the other from the run's seed, biases zero, a LayerNorm's weight one
        for (var e : family.newHead(objective.task(), hidden, names.size()).entrySet()) {
            if (has.test(e.getKey())) continue;
            int[] shape = e.getValue();
            tensors.put(e.getKey(), shape.length == 2 ? gaussian(random, range, shape[0], shape[1])
                    : e.getKey().endsWith("norm.weight") ? ones(shape[0]) : FloatTensor.zeros(shape));
        }
        Path head = Files.createDirectories(scratch.get().resolve("head"));
        SafetensorsWriter.write(head.resolve(dev.mlm4j.convert.HeadFolder.TENSORS), tensors, Map.of("source", "mlm4j train: a new head, N(0, " + range + "²)"));
        ObjectNode fragment = Training.JSON.createObjectNode();
        fragment.putArray("architectures").add(architecture);
        if (objective != Objective.TAG && decoder) {
            // a causal model's [CLS] sees only itself: the new classifier pools the last token (BertForSequenceClassification)
            fragment.put(dev.mlm4j.config.BertConfig.POOLING_KEY, "last");
        }
        if (objective != Objective.TAG && (fresh != ProblemType.SINGLE_LABEL_CLASSIFICATION || names.size() == 1)) {
            // as run_classification: the saved config says how to read the logits (sigmoid, or none), here and in transformers;
            // a one-label head of names says single-label too, or num_labels 1 would read as a regression
            fragment.put("problem_type", fresh.id());
        }
        if (fresh == ProblemType.SINGLE_LABEL_CLASSIFICATION && names.size() == 1) {
            listener.warning("warning: the training file names one label " + names + ": a classifier of one class always predicts it");
        }
        ObjectNode id2label = fragment.putObject("id2label"), label2id = fragment.putObject("label2id");
        for (int i = 0; i < names.size(); i++) {
            id2label.put(String.valueOf(i), names.get(i));
            label2id.put(names.get(i), i);
        }
        Files.writeString(head.resolve(dev.mlm4j.convert.HeadFolder.FRAGMENT), Training.JSON.writeValueAsString(fragment));
        listener.warning("note: " + from + " has no " + objective.task().name() + " head; starting a new " + architecture + " for the "
                + (fresh == ProblemType.REGRESSION ? names.size() + " number(s) per text of the training file (regression)"
                : names.size() + " labels of the training file " + names + (fresh == ProblemType.MULTI_LABEL_CLASSIFICATION ? " (multi-label)" : ""))
                + (fragment.has(dev.mlm4j.config.BertConfig.POOLING_KEY)
                ? ", pooling the last token (the model is causal: its [CLS] sees only itself)" : ""));
        return dev.mlm4j.convert.Converter.convert(from, scratch.get().resolve("start"), false, head).folder();
    }

    private static List<String> placeholders(int n) {
        return ClassificationConfig.defaults(n).labels();
    }

    private static FloatTensor ones(int n) {
        FloatTensor t = FloatTensor.zeros(n);
        java.util.Arrays.fill(t.data(), 1f);
        return t;
    }

    private static FloatTensor gaussian(java.util.Random random, double sd, int rows, int cols) {
        FloatTensor t = FloatTensor.zeros(rows, cols);
        float[] d = t.data();
        for (int i = 0; i < rows * cols; i++) d[i] = (float) (random.nextGaussian() * sd);
        return t;
    }
}
