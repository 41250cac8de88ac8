package dev.mlm4j.pipelines;

import dev.mlm4j.hub.ModelCard;
import dev.mlm4j.hub.ModelResolver;
import dev.mlm4j.layers.Precision;
import dev.mlm4j.model.BertForMaskedLM;
import dev.mlm4j.model.BertModel;
import dev.mlm4j.util.ProgressListener;
import dev.mlm4j.weights.Checkpoint;
import dev.mlm4j.weights.Weights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The front door: a model name or folder → a ready pipeline. Models are resolved through the hub
 * (downloaded from Maven Central once, then cached), loaded once per JVM and shared by every thread.
 * <pre>
 *   FillMask fill = Models.fillMask("bert-base-uncased");
 *   var best = fill.fill("Paris is the [MASK] of France.", FillMask.Options.DEFAULT).get(0).predictions().get(0);
 *   float[] v = Models.embeddings("all-MiniLM-L6-v2").embed("A man is playing a guitar.");
 * </pre>
 */
public final class Models {
    private Models() {}

    private record Key(Path folder, Precision precision) {}

    private static final Map<Key, FillMask> FILL_MASK = new ConcurrentHashMap<>();
    private static final Map<Key, FeatureExtraction> EMBEDDINGS = new ConcurrentHashMap<>();

    /** Resolves {@code nameOrPath} (progress on stderr) and returns its fill-mask pipeline. */
    public static FillMask fillMask(String nameOrPath) {
        return fillMask(nameOrPath, null);
    }

    /** As {@link #fillMask(String)}, reporting download/unpack progress to {@code progress} (null: stderr). */
    public static FillMask fillMask(String nameOrPath, ProgressListener progress) {
        return fillMask(nameOrPath, progress, Precision.fromProperty());
    }

    /**
     * As {@link #fillMask(String, ProgressListener)}, with the encoder's linear layers stored at {@code precision}
     * ({@link Precision#INT8}: quantised at load; the default is {@code -Dmlm4j.weights}, else fp32).
     */
    public static FillMask fillMask(String nameOrPath, ProgressListener progress, Precision precision) {
        Path folder = resolve(nameOrPath, progress);
        return FILL_MASK.computeIfAbsent(new Key(folder, precision), key -> Precision.loading(precision, () -> {
            Path f = key.folder();
            Checkpoint c = Checkpoint.open(f);
            if (!BertForMaskedLM.hasHead(c.tensors())) {
                c.close();
                throw new IllegalArgumentException("model '" + nameOrPath + "' has no masked-language-model head (cls.predictions.*):"
                        + " it cannot fill masks; use it for embeddings instead");
            }
            BertForMaskedLM model = BertForMaskedLM.load(c.tensors(), c.config());
            FillMask fm = new FillMask(model, c.tokenizer(), c.maxLength());
            c.close(); // weights are copied into the model's own layout; the mapping is no longer needed
            return fm;
        }));
    }

    /** Resolves {@code nameOrPath} (progress on stderr) and returns its feature-extraction (embeddings) pipeline. */
    public static FeatureExtraction embeddings(String nameOrPath) {
        return embeddings(nameOrPath, null);
    }

    /**
     * As {@link #embeddings(String)}, reporting download/unpack progress to {@code progress} (null: stderr).
     * Pooling, normalisation and working length come from the model's card; a model without an embeddings card
     * (bert-base-uncased, a folder of one's own) pools by mean, does not normalise, and works up to its position table.
     * Any BERT runs: a masked-LM head, if there is one, is not loaded.
     */
    public static FeatureExtraction embeddings(String nameOrPath, ProgressListener progress) {
        return embeddings(nameOrPath, progress, Precision.fromProperty());
    }

    /** As {@link #embeddings(String, ProgressListener)}, with the linear layers stored at {@code precision}. */
    public static FeatureExtraction embeddings(String nameOrPath, ProgressListener progress, Precision precision) {
        Path folder = resolve(nameOrPath, progress);
        return EMBEDDINGS.computeIfAbsent(new Key(folder, precision), key -> Precision.loading(precision, () -> {
            try (Checkpoint c = Checkpoint.open(key.folder())) {
                BertModel model = new BertModel(new Weights(c.tensors()).prefix("bert"), c.config());
                Optional<ModelCard> card = c.card().filter(k -> k.task() == ModelCard.Task.EMBEDDINGS);
                return new FeatureExtraction(model, c.tokenizer(),
                        card.map(k -> Pooling.of(k.pooling())).orElse(Pooling.MEAN),
                        card.map(ModelCard::normalize).orElse(false),
                        c.maxLength()); // weights are copied into the model's own layout: the mapping can close
            }
        }));
    }

    /** The local folder of a model name (downloading it if needed) or the path itself. */
    public static Path resolve(String nameOrPath, ProgressListener progress) {
        try {
            ModelResolver r = new ModelResolver();
            return (progress == null ? r.resolve(nameOrPath) : r.resolve(nameOrPath, progress)).toAbsolutePath().normalize();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
