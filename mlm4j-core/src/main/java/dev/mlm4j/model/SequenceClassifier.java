package dev.mlm4j.model;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;

/**
 * An encoder with a sequence-classification head (transformers' {@code *ForSequenceClassification}): one row of
 * {@link #numLabels()} logits per sequence. Immutable and shared by all threads.
 */
public interface SequenceClassifier {
    /** The encoder the head reads. */
    Encoder encoder();

    /** How many logits the head gives per sequence (the classifier's output rows). */
    int numLabels();

    /** Logits (sequences, numLabels) of every sequence of {@code output}'s batch. */
    FloatTensor logits(Kernels k, EncoderOutput output);
}
