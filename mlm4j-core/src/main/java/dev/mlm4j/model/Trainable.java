package dev.mlm4j.model;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.ProblemType;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;

/**
 * A model that trains: its parameters by transformers' name, and one forward and backward pass of its objective
 * ({@link BertForMaskedLM}: labels per token; {@link BertForSequenceClassification}: one per sequence). Loaded with
 * {@code Precision.FP32}; an int8 model refuses in {@link #parameters()}.
 */
public interface Trainable {
    /** Every trainable parameter, the live tensors an optimiser updates in place; a new registry each call. */
    Parameters parameters();

    /**
     * The loss of {@code batch} under {@code labels} in transformers' train mode with {@code dropout} (its seed fixes
     * the masks; {@link Dropout#OFF}: dropout 0), every parameter's gradient accumulated (+=) into {@code g}.
     */
    double lossAndGradients(Kernels k, Batch batch, int[] labels, Gradients g, Dropout dropout);

    /** {@link #lossAndGradients(Kernels, Batch, int[], Gradients, Dropout)} with dropout 0 ({@link Dropout#OFF}). */
    default double lossAndGradients(Kernels k, Batch batch, int[] labels, Gradients g) {
        return lossAndGradients(k, batch, labels, g, Dropout.OFF);
    }

    /**
     * The loss of {@code batch} under float {@code targets} (per sequence, {@code numLabels} each, row-major: regression
     * values or multi-hot labels) scored as {@code problem} says, every parameter's gradient accumulated into {@code g}.
     * Only a sequence classifier has it; the others refuse.
     */
    default double lossAndGradients(Kernels k, Batch batch, float[] targets, ProblemType problem, Gradients g, Dropout dropout) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " trains on class labels, not on " + problem.id() + " targets");
    }
}
