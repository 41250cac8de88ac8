package dev.mlm4j.model;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;

/** An encoder with a masked-language-model head (transformers' {@code *ForMaskedLM}): what fill-mask runs. */
public interface MaskedLanguageModel {
    /** The encoder the head sits on. */
    Encoder encoder();

    /** Rows of the head's output: the vocabulary it predicts over. */
    int vocabSize();

    /** Logits (rows.length, vocab) for the given packed rows of {@code output.lastHiddenState()}. */
    FloatTensor logits(EncoderOutput output, int[] rows);

    /** The decoder of a head tied to the word embeddings: t (n, d) · Eᵀ (E (vocab, d)) + bias (none when null), a new (n, vocab) tensor. */
    static FloatTensor decode(Kernels k, FloatTensor t, FloatTensor embeddings, FloatTensor bias) {
        FloatTensor logits = FloatTensor.zeros(t.dim(0), embeddings.dim(0));
        k.matmulTransposed(t, embeddings, logits);
        if (bias != null) k.addBias(logits, bias);
        return logits;
    }
}
