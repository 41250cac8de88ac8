package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.config.EncoderConfig;
import dev.mlm4j.weights.TensorSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One encoder family (BERT; later RoBERTa, DistilBERT, …): its config record, the checks that tie the config to the
 * weights, and the models it builds, each registered by transformers' architecture name. {@link EncoderFamilies}
 * chooses the family from {@code config.json}'s {@code model_type}/{@code architectures}. Adding a family is a new
 * implementation of this interface (its config record, its model tree) and one line in {@link EncoderFamilies};
 * adding a head is a new class and one {@link Head} in its family's {@link #heads()}.
 */
public interface EncoderFamily {

    /** {@code config.json}'s {@code model_type}, e.g. {@code bert}. */
    String modelType();

    /** What this family builds, by architecture name; exactly one {@link Task#ENCODER}. */
    List<Head<?>> heads();

    /**
     * Reads {@code config.json} into the family's config record, refusing what mlm4j would compute differently;
     * every refusal is one line naming {@code where}.
     */
    EncoderConfig readConfig(JsonNode configJson, String where);

    /** The config of a checkpoint without config.json (a TensorFlow checkpoint), from the tensors' shapes. */
    EncoderConfig inferConfig(TensorSource tensors);

    /** Refuses a config.json whose sizes disagree with the weights: an error at load, not a wrong answer later. */
    void checkAgainst(EncoderConfig config, TensorSource tensors);

    /** Refuses a tokenizer vocabulary ({@code vocabSize} entries, read from {@code vocabFile}) that does not fit the embedding table. */
    void checkVocabulary(int vocabSize, Path vocabFile, TensorSource tensors);

    /** The head registered for {@code task}, if the family has one. */
    @SuppressWarnings("unchecked")
    default <M> Optional<Head<M>> head(Task<M> task) {
        for (Head<?> h : heads()) {
            if (h.task().equals(task)) return Optional.of((Head<M>) h);
        }
        return Optional.empty();
    }

    /** The architecture names registered, in {@link #heads()} order. */
    default List<String> architectures() {
        return heads().stream().map(Head::architecture).toList();
    }

    /**
     * The tensors of a new, untrained head for {@code task} on this family's encoder, name → shape, as transformers'
     * {@code from_pretrained(num_labels=labels)} creates them (matrices drawn from N(0, initializer_range²), biases 0;
     * a LayerNorm's weight ({@code …norm.weight}, ModernBERT's) is ones; the caller draws them and leaves out those the
     * checkpoint already has, e.g. BERT's pooler). Empty when mlm4j does
     * not train that head on this family.
     */
    default Map<String, int[]> newHead(Task<?> task, int hidden, int labels) {
        return Map.of();
    }

    /** A linear layer's two tensors under {@code key}: weight (out, in) and bias (out), in a map that keeps this order. */
    static Map<String, int[]> linear(Map<String, int[]> into, String key, int in, int out) {
        into.put(key + ".weight", new int[] {out, in});
        into.put(key + ".bias", new int[] {out});
        return into;
    }
}
