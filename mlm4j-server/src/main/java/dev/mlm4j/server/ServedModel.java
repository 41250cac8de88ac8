package dev.mlm4j.server;

import dev.mlm4j.config.Precision;
import dev.mlm4j.explorer.ExplorerModel;
import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.FillMask;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.QuestionAnswering;
import dev.mlm4j.pipelines.Rerank;
import dev.mlm4j.pipelines.TextClassification;
import dev.mlm4j.pipelines.TokenClassification;
import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.tokens.Tokenizer;
import dev.mlm4j.util.ProgressListener;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One model the server answers for, addressed by {@link #name()}, with the pipelines it supports. Loaded
 * once through {@link Models} (so the weights are shared with any other user in the JVM). An encoder
 * ({@link #load}) does embeddings, and fill-mask and attention when it has its masked-language-model head; a
 * task model ({@link #loadTask}) does its one task: text classification, token classification, …
 */
public final class ServedModel {

    /** What a model can be asked to do. */
    public enum Task {
        EMBEDDINGS("embeddings", null, null), FILL_MASK("fill-mask", null, null), ATTENTION("attention", null, null),
        TEXT_CLASSIFICATION("text-classification", "/predict", "--classifier"),
        TOKEN_CLASSIFICATION("token-classification", "/token-classification", "--ner"),
        RERANK("rerank", "/rerank", "--reranker"),
        QUESTION_ANSWERING("question-answering", "/question-answering", "--qa");

        final String label;
        /** The route a task model answers (null for the encoder's tasks, which have several). */
        final String route;
        /** The `serve` option that loads a model for this task (null: --model). */
        final String option;

        Task(String label, String route, String option) {
            this.label = label;
            this.route = route;
            this.option = option;
        }

        /** The name used in /info, metrics and messages: "embeddings", "fill-mask", "text-classification", … */
        public String label() {
            return label;
        }

        /** Whether a model for this task is loaded by its own option ({@link #loadTask}) rather than --model. */
        public boolean taskModel() {
            return option != null;
        }

        /** The `serve` option that loads a model for this task, e.g. {@code --classifier}; null for --model's tasks. */
        public String option() {
            return option;
        }

        /** The route that runs this task, e.g. {@code /predict}; null for --model's tasks. */
        public String route() {
            return route;
        }
    }

    private final String name;
    private final String source;
    private final FillMask fillMask;     // null: no masked-language-model head
    private volatile FeatureExtraction embeddings;   // eager for embedding models, on first use for MLMs
    private final Tokenizer tokenizer;
    private final int maxLength;
    private volatile ExplorerModel explorer;   // loaded on the first /attention request
    private final Task task;                    // a task model's one task; null for an encoder
    private final Object pipeline;              // a task model's pipeline (TextClassification, TokenClassification, Rerank, QuestionAnswering)

    private ServedModel(String name, String source, FillMask fillMask, FeatureExtraction embeddings, Tokenizer tokenizer, int maxLength) {
        this(name, source, fillMask, embeddings, tokenizer, maxLength, null, null);
    }

    private ServedModel(String name, String source, FillMask fillMask, FeatureExtraction embeddings, Tokenizer tokenizer, int maxLength,
                        Task task, Object pipeline) {
        this.name = name;
        this.source = source;
        this.fillMask = fillMask;
        this.embeddings = embeddings;
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.task = task;
        this.pipeline = pipeline;
    }

    /**
     * Fetches {@code spec}'s files (downloading and unpacking a catalog model the first time, with {@code progress}; null:
     * a bar on stderr) without loading it, and returns its folder or file; a name no one knows fails here as
     * {@link #load} would.
     */
    public static Path fetch(String spec, ProgressListener progress) {
        return Models.resolve(sourceOf(spec), progress);
    }

    /**
     * Loads {@code spec}: a catalog name ({@code bert-base-uncased}), a folder or file, or {@code alias=path}
     * to serve a folder under a name of your choosing.
     */
    public static ServedModel load(String spec, ProgressListener progress) {
        String name = nameOf(spec);
        String source = sourceOf(spec);
        FillMask fm = null;
        try {
            fm = Models.fillMask(source, progress);
        } catch (IllegalArgumentException noHead) {
            // no masked-language-model head: an embedding model
        }
        if (fm != null) return new ServedModel(name, source, fm, null, fm.tokenizer(), fm.maxLength());
        FeatureExtraction fe = Models.embeddings(source, progress);
        return new ServedModel(name, source, null, fe, fe.tokenizer(), fe.maxLength());
    }

    /**
     * Loads {@code spec} (a folder, or {@code alias=folder}) as the model of {@code task}, one of the task models
     * ({@link Task#taskModel()}). An {@link IllegalArgumentException} says, in one line, why a folder cannot do the task
     * (no such head, labels that disagree with the head), so `serve` fails at start rather than on the first request.
     */
    public static ServedModel loadTask(Task task, String spec, ProgressListener progress) {
        String name = nameOf(spec);
        String source = sourceOf(spec);
        Precision precision = Precision.fromProperty();
        return switch (task) {
            case TEXT_CLASSIFICATION -> {
                TextClassification tc = Models.textClassification(source, progress, precision);
                // as TEI and ./mlm4j classify: the position table, not tokenizer.json's truncation (128 in MiniLM's, an export leftover)
                yield new ServedModel(name, source, null, null, tc.tokenizer(), tc.maxTokens(), task, tc);
            }
            case TOKEN_CLASSIFICATION -> {
                TokenClassification tc = Models.tokenClassification(source, progress, precision);
                yield new ServedModel(name, source, null, null, tc.tokenizer(), tc.maxLength(), task, tc);
            }
            case RERANK -> {
                Rerank r = Models.rerank(source, progress, precision);
                yield new ServedModel(name, source, null, null, r.classifier().tokenizer(), r.maxLength(), task, r);
            }
            case QUESTION_ANSWERING -> {
                QuestionAnswering qa = Models.questionAnswering(source, progress, precision);
                yield new ServedModel(name, source, null, null, qa.tokenizer(), qa.tokenizer().maxLength(), task, qa);
            }
            default -> throw new IllegalArgumentException(task.label + " is not a task model's task; load it with --model");
        };
    }

    private static String sourceOf(String spec) {
        return spec.contains("=") && !spec.startsWith("/") ? spec.substring(spec.indexOf('=') + 1) : spec;
    }

    /** The name clients use: the alias, the catalog name, or the folder's (file's) name without extension. */
    static String nameOf(String spec) {
        int eq = spec.indexOf('=');
        if (eq > 0 && !spec.substring(0, eq).contains("/")) return spec.substring(0, eq);
        if (spec.contains("/") || spec.contains(java.io.File.separator) || Files.exists(Path.of(spec))) {
            Path p = Path.of(spec).toAbsolutePath().normalize();
            String f = p.getFileName() == null ? spec : p.getFileName().toString();
            int dot = f.lastIndexOf('.');
            return Files.isRegularFile(p) && dot > 0 ? f.substring(0, dot) : f;
        }
        return spec;
    }

    public String name() {
        return name;
    }

    /** What it was loaded from (catalog name or path). */
    public String source() {
        return source;
    }

    public Set<Task> tasks() {
        if (task != null) return EnumSet.of(task);
        Set<Task> t = EnumSet.noneOf(Task.class);
        t.add(Task.EMBEDDINGS);
        if (fillMask != null) t.add(Task.FILL_MASK);
        t.add(Task.ATTENTION);
        return t;
    }

    public boolean supports(Task t) {
        return tasks().contains(t);
    }

    /** What the model was made for: a task model's task; fill-mask if it has its MLM head, else embeddings. */
    public Task primary() {
        if (task != null) return task;
        return fillMask != null ? Task.FILL_MASK : Task.EMBEDDINGS;
    }

    /** The text-classification pipeline of a {@code --classifier} model, else null. */
    TextClassification textClassification() {
        return pipeline instanceof TextClassification tc ? tc : null;
    }

    /** The rerank pipeline of a {@code --reranker} model, else null. */
    Rerank rerank() {
        return pipeline instanceof Rerank r ? r : null;
    }

    /** The question-answering pipeline of a {@code --qa} model, else null. */
    QuestionAnswering questionAnswering() {
        return pipeline instanceof QuestionAnswering qa ? qa : null;
    }

    /** The token-classification pipeline of a {@code --ner} model, else null. */
    TokenClassification tokenClassification() {
        return pipeline instanceof TokenClassification tc ? tc : null;
    }

    FillMask fillMask() {
        return fillMask;
    }

    /** The embeddings pipeline; for a masked-language model it is loaded on first use (mean pooling, no normalisation). */
    FeatureExtraction embeddings() {
        FeatureExtraction e = embeddings;
        if (e == null) {
            synchronized (this) {
                if (embeddings == null) embeddings = Models.embeddings(source, ProgressListener.NONE);
                e = embeddings;
            }
        }
        return e;
    }

    /** The embeddings pipeline if it is loaded, else null (for /info, which must not load anything). */
    FeatureExtraction embeddingsIfLoaded() {
        return embeddings;
    }

    /**
     * The attention explorer's view of this model, made on first use; it runs on the same loaded weights as the
     * fill-mask and embeddings pipelines ({@code Models.load}), keeping every layer's attention on request.
     */
    ExplorerModel explorer() {
        ExplorerModel e = explorer;
        if (e == null) {
            synchronized (this) {
                if (explorer == null) explorer = ExplorerModel.load(source);
                e = explorer;
            }
        }
        return e;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** Most tokens per input, special tokens included. */
    public int maxLength() {
        return maxLength;
    }

    /**
     * Tokenizes {@code text} for this model: 400 if it is empty, 422 if too long and {@code truncate} is off.
     * {@code what} names the input in messages ("inputs[3]").
     */
    Encoding encode(String text, boolean truncate, String what) {
        if (text.isBlank()) throw ApiError.empty("`" + what + "` is empty");
        try {
            return tokenizer.encode(text, maxLength, truncate);
        } catch (IllegalArgumentException e) {
            throw ApiError.tooLong("`" + what + "`: " + e.getMessage());
        }
    }

    static List<String> names(List<ServedModel> models) {
        List<String> out = new ArrayList<>();
        for (ServedModel m : models) out.add(m.name());
        return out;
    }
}
