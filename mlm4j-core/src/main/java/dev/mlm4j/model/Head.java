package dev.mlm4j.model;

import dev.mlm4j.config.EncoderConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.weights.TensorSource;

import java.util.function.Predicate;

/**
 * One model a family builds, registered under transformers' architecture name ({@code config.json}'s
 * {@code architectures}): the bare encoder or the encoder with a task head.
 *
 * @param architecture transformers' class name, e.g. {@code BertForMaskedLM}
 * @param task         what it is for
 * @param presentIn    whether a checkpoint carries this head's weights (e.g. any {@code cls.predictions.*} tensor)
 * @param loader       builds it from the weights, the family's config (the family's own record) and the linear layers' precision
 */
public record Head<M>(String architecture, Task<M> task, Predicate<TensorSource> presentIn,
                      Loader<? extends M> loader) {

    /** Builds a model from a checkpoint's tensors. */
    @FunctionalInterface
    public interface Loader<M> {
        M load(TensorSource tensors, EncoderConfig config, Precision precision);
    }

    public boolean isIn(TensorSource tensors) {
        return presentIn.test(tensors);
    }

    public M load(TensorSource tensors, EncoderConfig config, Precision precision) {
        return loader.load(tensors, config, precision);
    }
}
