package dev.mlm4j.spark;

import dev.mlm4j.config.Precision;
import dev.mlm4j.explorer.ExplorerModel;
import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.FillMask;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.TextClassification;
import dev.mlm4j.pipelines.TokenClassification;
import dev.mlm4j.tokens.Tokenizer;
import dev.mlm4j.util.ProgressListener;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The models of this JVM (an executor, or the driver in local mode): each loaded on first use by the first task that
 * asks, then shared by every task thread of the JVM for as long as it lives. Closures carry only the model's name or
 * path, never its bytes. Concurrent first calls for the same model wait for one load ({@link ConcurrentHashMap#computeIfAbsent}).
 *
 * <p>The pipelines of one model share its weights ({@code Models.load}): a job that embeds, fills masks and draws
 * attention graphs with the same model on the same executor loads it once.
 */
final class ExecutorModels {
    private ExecutorModels() {}

    private static final Map<String, FeatureExtraction> EMBEDDINGS = new ConcurrentHashMap<>();
    private static final Map<String, FillMask> FILL_MASK = new ConcurrentHashMap<>();
    private static final Map<String, Tokenizer> TOKENIZERS = new ConcurrentHashMap<>();
    private static final Map<String, ExplorerModel> EXPLORER = new ConcurrentHashMap<>();
    private static final Map<String, TextClassification> TEXT_CLASSIFICATION = new ConcurrentHashMap<>();
    private static final Map<String, TokenClassification> TOKEN_CLASSIFICATION = new ConcurrentHashMap<>();

    static FeatureExtraction embeddings(String model) {
        return load(EMBEDDINGS, model, m -> Models.embeddings(m, ProgressListener.NONE));
    }

    static FillMask fillMask(String model) {
        return load(FILL_MASK, model, m -> Models.fillMask(m, ProgressListener.NONE));
    }

    /** Only the tokenizer: the weights are opened (memory-mapped) to find it, never copied. */
    static Tokenizer tokenizer(String model) {
        return load(TOKENIZERS, model, m -> Models.tokenizer(m, ProgressListener.NONE));
    }

    static ExplorerModel explorer(String model) {
        return load(EXPLORER, model, ExplorerModel::load);
    }

    static TextClassification textClassification(String model) {
        return load(TEXT_CLASSIFICATION, model, m -> Models.textClassification(m, ProgressListener.NONE, Precision.fromProperty()));
    }

    static TokenClassification tokenClassification(String model) {
        return load(TOKEN_CLASSIFICATION, model, m -> Models.tokenClassification(m, ProgressListener.NONE, Precision.fromProperty()));
    }

    private static <T> T load(Map<String, T> cache, String model, Function<String, T> loader) {
        T t = cache.get(model);
        if (t != null) return t;
        return cache.computeIfAbsent(model, m -> {
            try {
                return loader.apply(m);
            } catch (RuntimeException e) {
                throw new IllegalStateException("mlm4j cannot load model '" + m + "' on this executor: " + e.getMessage(), e);
            }
        });
    }
}
