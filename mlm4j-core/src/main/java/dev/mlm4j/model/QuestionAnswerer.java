package dev.mlm4j.model;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;

/**
 * An encoder with a span head (transformers' {@code *ForQuestionAnswering}): a start and an end logit for every
 * token, what extractive question answering runs. Immutable and shared by all threads.
 */
public interface QuestionAnswerer {
    /** The encoder the head reads. */
    Encoder encoder();

    /** Logits (T, 2) for the packed rows of {@code output.lastHiddenState()}: column 0 the start, column 1 the end logit. */
    FloatTensor logits(Kernels k, EncoderOutput output);
}
