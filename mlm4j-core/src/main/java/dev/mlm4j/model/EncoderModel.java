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
 * A family's {@code *Model} loads its blocks and hands this class its two steps ({@link Embed}, {@link Layers}: usually
 * the blocks' own {@code forward}); where its length check or mask differ it overrides {@link #checkLength} or
 * {@link #mask}. So a new family is new blocks and a short class here, not another copy of this order. Immutable and
 * shared by all threads.
 *
 * @param <C> the family's config record
 */
public abstract class EncoderModel<C extends EncoderConfig> implements Encoder {
    /** The embeddings' output (T, hidden) of the packed batch, with any projection to the layers' width. */
    @FunctionalInterface
    protected interface Embed {
        FloatTensor forward(Kernels k, Batch batch);
    }

    /**
     * The layers over {@code x} (T, hidden), updated in place, recording each layer's output (the last one too) and what
     * else {@code capture} asks for; returns the last hidden state.
     */
    @FunctionalInterface
    protected interface Layers {
        FloatTensor forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, ForwardCapture capture);
    }

    protected final C config;
    private final Embed embed;
    private final Layers layers;

    protected EncoderModel(C config, Embed embed, Layers layers) {
        this.config = config;
        this.embed = embed;
        this.layers = layers;
    }

    @Override
    public C config() {
        return config;
    }

    @Override
    public final EncoderOutput forward(Kernels k, Batch batch, ForwardOptions options) {
        checkLength(batch);
        ForwardCapture capture = options.capture();               // what to record besides x
        FloatTensor x = embed.forward(k, batch);                              // (T, hidden)
        capture.hiddenState(x);                                               // the layers update x in place
        x = layers.forward(k, x, batch, mask(options.mask()), capture);       // (T, hidden)
        return EncoderOutput.captured(batch, x, capture);
    }

    /** Every sequence within the position table, or a one-line error: the forward's first check. */
    protected void checkLength(Batch batch) {
        FamilyChecks.fits(batch, config.maxPositionEmbeddings());
    }

    /** The mask every layer applies: the one the caller asked for, unless the family says otherwise. */
    protected AttentionMask mask(AttentionMask asked) {
        return asked;
    }
}
