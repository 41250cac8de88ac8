package dev.mlm4j.model;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;

/**
 * An encoder with ELECTRA's discriminator head (transformers' {@code ElectraForPreTraining}): one logit per token, the
 * log-odds that the token was replaced (sigmoid gives the probability). Immutable and shared by all threads.
 */
public interface ReplacedTokenDetector {
    Encoder encoder();

    /** Logits (T) for the packed rows of {@code output.lastHiddenState()}: > 0 where the token looks replaced. */
    float[] logits(Kernels k, EncoderOutput output);
}
