package dev.mlm4j.server;

import dev.mlm4j.explorer.ExplorerModel;
import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.FillMask;
import dev.mlm4j.pipelines.Models;
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
 * once through {@link Models} (so the weights are shared with any other user in the JVM).
 */
public final class ServedModel {

    /** What a model can be asked to do. */
    public enum Task {
        EMBEDDINGS("embeddings"), FILL_MASK("fill-mask"), ATTENTION("attention");

        final String label;

        Task(String label) {
            this.label = label;
        }

        /** The name used in /info, metrics and messages: "embeddings", "fill-mask", "attention". */
        public String label() {
            return label;
        }
    }

    private final String name;
    private final String source;
    private final FillMask fillMask;     // null: no masked-language-model head
    private volatile FeatureExtraction embeddings;   // eager for embedding models, on first use for MLMs
    private final Tokenizer tokenizer;
    private final int maxLength;
    private volatile ExplorerModel explorer;   // loaded on the first /attention request

    private ServedModel(String name, String source, FillMask fillMask, FeatureExtraction embeddings, Tokenizer tokenizer, int maxLength) {
        this.name = name;
        this.source = source;
        this.fillMask = fillMask;
        this.embeddings = embeddings;
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
    }

    /**
     * Loads {@code spec}: a catalog name ({@code bert-base-uncased}), a folder or file, or {@code alias=path}
     * to serve a folder under a name of your choosing.
     */
    public static ServedModel load(String spec, ProgressListener progress) {
        String name = nameOf(spec);
        String source = spec.contains("=") && !spec.startsWith("/") ? spec.substring(spec.indexOf('=') + 1) : spec;
        FillMask fm = null;
        try {
            fm = Models.fillMask(source, progress);
        } catch (IllegalArgumentException noHead) {
            // no masked-language-model head: an embedding model
        }
        if (fm != null) return new ServedModel(name, source, fm, null, fm.tokenizer(), fm.maxLength());
        FeatureExtraction fe = Models.embeddings(source, progress);
        return new ServedModel(name, source, null, fe, fe.tokenizer(), fe.maxTokens());
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
        Set<Task> t = EnumSet.noneOf(Task.class);
        t.add(Task.EMBEDDINGS);
        if (fillMask != null) t.add(Task.FILL_MASK);
        t.add(Task.ATTENTION);
        return t;
    }

    public boolean supports(Task t) {
        return tasks().contains(t);
    }

    /** What the model was made for: fill-mask if it has its MLM head, else embeddings. */
    public Task primary() {
        return fillMask != null ? Task.FILL_MASK : Task.EMBEDDINGS;
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
