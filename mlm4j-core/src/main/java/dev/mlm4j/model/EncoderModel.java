package dev.mlm4j.model;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.EncoderConfig;
import dev.mlm4j.encoder.ForwardCapture;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;

/**
 * The forward pass every family's bare model shares (transformers' {@code *Model.forward}): check the lengths →
 * embeddings (T, hidden) → the family's layers, in place → the last hidden state with what the caller asked to capture.
 * A family's {@code *Model} says only what differs: its embeddings ({@link #embed}) and its layers ({@link #encode}), and
 * where its length check or mask differ, {@link #checkLength} and {@link #mask}. So a new family is new blocks and a
 * short class here, not another copy of this order. Immutable and shared by all threads.
 *
 * @param <C> the family's config record
 */
public abstract class EncoderModel<C extends EncoderConfig> implements Encoder {
    protected final C config;

    protected EncoderModel(C config) {
        this.config = config;
    }

    @Override
    public C config() {
        return config;
    }

    @Override
    public final EncoderOutput forward(Kernels k, Batch batch, ForwardOptions options) {
        checkLength(batch);
        ForwardCapture capture = options.capture();               // what to record besides x
        FloatTensor x = embed(k, batch);                          // (T, hidden)
        capture.hiddenState(x);                                   // the layers update x in place
        x = encode(k, x, batch, mask(options.mask()), capture);   // (T, hidden)
        return EncoderOutput.captured(batch, x, capture);
    }

    /** The embeddings' output (T, hidden) of the packed {@code batch}, with any projection to the layers' width. */
    protected abstract FloatTensor embed(Kernels k, Batch batch);

    /**
     * The layers over {@code x} (T, hidden), updated in place, recording each layer's output (the last one too) and what
     * else {@code capture} asks for; returns the last hidden state.
     */
    protected abstract FloatTensor encode(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, ForwardCapture capture);

    /** Every sequence within the position table, or a one-line error: the forward's first check. */
    protected void checkLength(Batch batch) {
        FamilyChecks.fits(batch, config.maxPositionEmbeddings());
    }

    /** The mask every layer applies: the one the caller asked for, unless the family says otherwise. */
    protected AttentionMask mask(AttentionMask asked) {
        return asked;
    }
}
