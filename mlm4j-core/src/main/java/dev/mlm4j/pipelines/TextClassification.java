package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.ClassificationConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.model.EncoderOutput;
import dev.mlm4j.model.ForwardOptions;
import dev.mlm4j.model.SequenceClassifier;
import dev.mlm4j.model.Task;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.tokens.Tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Text classification with Hugging Face's {@code text-classification} pipeline semantics (transformers 5
 * {@code pipelines/text_classification.py}): a text, or a text pair ({@code tokenizer(text, text_pair)}, segment ids
 * 0/1), through a sequence-classification model, then a function over the logits and the labels of
 * {@code config.json}'s {@code id2label}.
 * <pre>
 *   TextClassification tc = Models.textClassification("path/to/sentiment-model");
 *   List&lt;TextClassification.Label&gt; best = tc.classify("I loved it.", TextClassification.Options.DEFAULT);
 * </pre>
 * <ul>
 *   <li>function ({@code function_to_apply}): by default none for {@code problem_type} regression, sigmoid for
 *       multi_label_classification or one label, else softmax; or given explicitly;</li>
 *   <li>{@code top_k}: unset (HF's legacy default) gives the argmax label alone; {@code k} the k best, sorted by score
 *       descending; all ({@code top_k=None}) every label sorted;</li>
 *   <li>{@link #toJson}: exactly HF's reply: unset top_k → {@code [{"label","score"}]} for a text but a bare
 *       {@code {"label","score"}} for a {@code {"text","text_pair"}} input; else a list of them.</li>
 * </ul>
 * Texts are not truncated (as HF, which does not ask its tokenizer to): a text over the model's position table is an
 * error naming it. Immutable and thread-safe.
 */
public final class TextClassification {

    /** HF's {@code function_to_apply}. */
    public enum Function {
        SOFTMAX, SIGMOID, NONE;

        /** {@code softmax}, {@code sigmoid} or {@code none} (case-insensitive). */
        public static Function of(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("function '" + name + "' is not one of softmax, sigmoid, none");
            }
        }

        public String huggingFaceName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param legacy   HF's default when {@code top_k} is not passed: the argmax label only, in the legacy reply shape
     * @param topK     with {@code legacy} false: how many labels, best first; 0 = all ({@code top_k=None})
     * @param function null: the model's default (see the class comment)
     */
    public record Options(boolean legacy, int topK, Function function) {
        public static final Options DEFAULT = new Options(true, 1, null);

        public Options {
            if (topK < 0) throw new IllegalArgumentException("top_k must be positive (or all), got " + topK);
        }

        /** {@code top_k=k}. */
        public Options withTopK(int k) {
            if (k <= 0) throw new IllegalArgumentException("top_k must be positive, got " + k);
            return new Options(false, k, function);
        }

        /** {@code top_k=None}: every label, sorted. */
        public Options withAllLabels() {
            return new Options(false, 0, function);
        }

        public Options withFunction(Function f) {
            return new Options(legacy, topK, f);
        }
    }

    /** One text or a (text, text_pair) pair; {@code textPair} null for a single text. */
    public record Input(String text, String textPair) {
        public Input {
            if (text == null) throw new IllegalArgumentException("text is null");
        }

        public static Input of(String text) {
            return new Input(text, null);
        }

        public static Input pair(String text, String textPair) {
            if (textPair == null) throw new IllegalArgumentException("text_pair is null");
            return new Input(text, textPair);
        }

        public boolean isPair() {
            return textPair != null;
        }
    }

    /** A label and its score (float32, as HF computes it, widened). */
    public record Label(String label, double score) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH_TOKENS = 4096;

    private final SequenceClassifier model;
    private final Tokenizer tokenizer;
    private final ClassificationConfig config;
    private final int maxTokens;

    public TextClassification(SequenceClassifier model, Tokenizer tokenizer, ClassificationConfig config) {
        if (config.numLabels() != model.numLabels()) {
            throw new IllegalArgumentException("config.json has " + config.numLabels() + " labels but the classifier gives " + model.numLabels());
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.config = config;
        this.maxTokens = model.encoder().config().maxPositionEmbeddings();
    }

    /**
     * Opens the model folder and builds the pipeline: config.json's labels (checked against the classifier's shape),
     * the sequence-classification head (a clear error when the folder has none).
     */
    static TextClassification load(Path folder, String name, Precision precision) {
        try (Checkpoint c = Checkpoint.open(folder)) {
            Path configFile = c.folder().resolve("config.json");
            JsonNode root = TaskHead.config(configFile, name, TaskHead.SEQUENCE_CLASSIFICATION);
            SequenceClassifier model = TaskHead.load(c, Task.SEQUENCE_CLASSIFICATION, precision, name, TaskHead.SEQUENCE_CLASSIFICATION);
            ClassificationConfig labels = root == null ? ClassificationConfig.defaults(model.numLabels())
                    : ClassificationConfig.fromJson(root, configFile.toString());
            if (labels.numLabels() != model.numLabels()) {
                throw new IllegalArgumentException(configFile + " has " + labels.numLabels() + " labels (id2label/num_labels) but classifier.weight in "
                        + c.tensors().origin() + " has shape [" + model.numLabels() + ", " + model.encoder().config().hiddenSize()
                        + "] (expected [" + labels.numLabels() + ", " + model.encoder().config().hiddenSize() + "])");
            }
            return new TextClassification(model, c.tokenizer(), labels);
        }
    }

    public ClassificationConfig config() {
        return config;
    }

    public List<String> labels() {
        return config.labels();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The longest input the model takes, in tokens (its position table). */
    public int maxTokens() {
        return maxTokens;
    }

    /** The function used when none is asked for: HF's choice from problem_type and the number of labels. */
    public Function defaultFunction() {
        if ("regression".equals(config.problemType())) return Function.NONE;
        if ("multi_label_classification".equals(config.problemType()) || config.numLabels() == 1) return Function.SIGMOID;
        return Function.SOFTMAX;
    }

    /** The labels of one text (see {@link Options}). */
    public List<Label> classify(String text, Options options) {
        return classify(List.of(Input.of(text)), options).getFirst();
    }

    /** The labels of a (text, text_pair) pair. */
    public List<Label> classifyPair(String text, String textPair, Options options) {
        return classify(List.of(Input.pair(text, textPair)), options).getFirst();
    }

    /** The labels of every input, in order; every input is tokenized and checked before any is run. */
    public List<List<Label>> classify(List<Input> inputs, Options options) {
        List<Encoding> encodings = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) encodings.add(encode(inputs.get(i), i));
        List<float[]> logits = run(encodings);
        List<List<Label>> out = new ArrayList<>(inputs.size());
        for (float[] l : logits) out.add(postprocess(l, options));
        return out;
    }

    /** The raw logits (numLabels) of each input, in order. */
    public List<float[]> logits(List<Input> inputs) {
        List<Encoding> encodings = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) encodings.add(encode(inputs.get(i), i));
        return run(encodings);
    }

    /** Refuses an input {@link #classify} would refuse (null, over the model's maximum), without running the model. */
    public void check(Input in) {
        encode(in, 0);
    }

    private Encoding encode(Input in, int index) {
        if (in == null) throw new IllegalArgumentException("input " + (index + 1) + " is null");
        Encoding e = in.isPair() ? tokenizer.encodePair(in.text(), in.textPair(), Integer.MAX_VALUE, false)
                : tokenizer.encode(in.text(), Integer.MAX_VALUE, false);
        if (e.length() > maxTokens) {
            throw new IllegalArgumentException("input " + (index + 1) + " is " + e.length() + " tokens, over the model's maximum of "
                    + maxTokens + " (its position table)");
        }
        return e;
    }

    /**
     * The logits (numLabels) of already-encoded inputs, in order, batched by tokens: the one forward pass of every
     * pipeline over a sequence classifier (rerank and zero-shot encode their pairs their own way, then come here).
     */
    List<float[]> run(List<Encoding> encodings) {
        List<float[]> out = new ArrayList<>(encodings.size());
        int from = 0;
        while (from < encodings.size()) {
            int to = from, tokens = 0;
            while (to < encodings.size() && (to == from || tokens + encodings.get(to).length() <= BATCH_TOKENS)) tokens += encodings.get(to++).length();
            Batch batch = Batch.of(encodings.subList(from, to));
            Kernels k = Kernels.get();
            EncoderOutput o = model.encoder().forward(k, batch, ForwardOptions.DEFAULT);
            FloatTensor l = model.logits(k, o);
            for (int s = 0; s < batch.size(); s++) {
                float[] row = new float[model.numLabels()];
                System.arraycopy(l.data(), l.rowOffset(s), row, 0, row.length);
                out.add(row);
            }
            from = to;
        }
        return out;
    }

    /** HF's {@code postprocess}: the function in float32, then argmax (legacy) or all labels sorted and cut to top_k. */
    List<Label> postprocess(float[] logits, Options options) {
        Function f = options.function() != null ? options.function() : defaultFunction();
        float[] scores = apply(f, logits);
        if (options.legacy()) {
            int best = 0;
            for (int i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;   // numpy argmax: first maximum
            return List.of(new Label(config.labels().get(best), scores[best]));
        }
        List<Label> all = new ArrayList<>(scores.length);
        for (int i = 0; i < scores.length; i++) all.add(new Label(config.labels().get(i), scores[i]));
        all.sort(Comparator.comparingDouble(Label::score).reversed());                     // stable, as Python's sort
        return options.topK() == 0 ? all : List.copyOf(all.subList(0, Math.min(options.topK(), all.size())));
    }

    static float[] apply(Function f, float[] logits) {
        float[] s = new float[logits.length];
        switch (f) {
            case NONE -> System.arraycopy(logits, 0, s, 0, s.length);
            case SIGMOID -> {
                for (int i = 0; i < s.length; i++) s[i] = (float) (1 / (1 + Math.exp(-(double) logits[i])));
            }
            case SOFTMAX -> {
                float max = Float.NEGATIVE_INFINITY;
                for (float x : logits) max = Math.max(max, x);
                double sum = 0;
                double[] e = new double[s.length];
                for (int i = 0; i < s.length; i++) sum += e[i] = Math.exp((double) logits[i] - max);
                for (int i = 0; i < s.length; i++) s[i] = (float) (e[i] / sum);
            }
        }
        return s;
    }

    /**
     * The reply of HF's pipeline for {@code input} given {@code result} = {@link #classify} with {@code options}:
     * legacy (top_k unset) → {@code [{"label","score"}]} for a text, a bare {@code {"label","score"}} for a pair;
     * otherwise the list of labels.
     */
    public static JsonNode toJson(Input input, List<Label> result, Options options) {
        ArrayNode list = JSON.createArrayNode();
        for (Label l : result) list.add(toJson(l));
        if (options.legacy() && input.isPair()) return list.get(0);
        return list;
    }

    public static ObjectNode toJson(Label l) {
        ObjectNode o = JSON.createObjectNode();
        o.put("label", l.label());
        o.put("score", l.score());
        return o;
    }
}
