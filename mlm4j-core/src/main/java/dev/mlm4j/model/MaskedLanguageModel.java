package dev.mlm4j.model;

import dev.mlm4j.tensor.FloatTensor;

/** An encoder with a masked-language-model head (transformers' {@code *ForMaskedLM}): what fill-mask runs. */
public interface MaskedLanguageModel {
    /** The encoder the head sits on. */
    Encoder encoder();

    /** Rows of the head's output: the vocabulary it predicts over. */
    int vocabSize();

    /** Logits (rows.length, vocab) for the given packed rows of {@code output.lastHiddenState()}. */
    FloatTensor logits(EncoderOutput output, int[] rows);
}
