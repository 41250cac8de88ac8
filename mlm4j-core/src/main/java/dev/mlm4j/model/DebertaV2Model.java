package dev.mlm4j.model;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DebertaV2Config;
import dev.mlm4j.config.Precision;
import dev.mlm4j.embeddings.DebertaV2Embeddings;
import dev.mlm4j.encoder.DebertaV2Encoder;
import dev.mlm4j.encoder.ForwardCapture;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code DebertaV2Model}: {@link DebertaV2Embeddings} → {@link DebertaV2Encoder} (post-norm layers with
 * disentangled relative-position attention); keys {@code embeddings.*}, {@code encoder.*} under {@code deberta.} (a bare
 * model's unprefixed keys arrive as {@code bert.*}, mlm4j's canonical base prefix). No pooler. Immutable and shared.
 */
public final class DebertaV2Model extends EncoderModel<DebertaV2Config> {
    private final DebertaV2Embeddings embeddings;
    private final DebertaV2Encoder encoder;

    public DebertaV2Model(Weights deberta, DebertaV2Config config, Precision precision) {
        super(config);
        this.embeddings = new DebertaV2Embeddings(deberta.prefix("embeddings"), config, precision);
        this.encoder = new DebertaV2Encoder(deberta.prefix("encoder"), config, precision);
    }

    /** The base model's scope in {@code source}: {@code deberta} (any DebertaV2For…), else {@code bert} (a bare DebertaV2Model). */
    static Weights base(TensorSource source) {
        return new Weights(source).prefix(FamilyChecks.basePrefix(source, "deberta"));
    }

    public static DebertaV2Model load(TensorSource source, DebertaV2Config config, Precision precision) {
        return new DebertaV2Model(base(source), config, precision);
    }

    public DebertaV2Embeddings embeddings() {
        return embeddings;
    }

    @Override
    protected void checkLength(Batch batch) {
        if (config.positionBiasedInput()) super.checkLength(batch);   // relative positions: no table to run past
    }

    @Override
    protected FloatTensor embed(Kernels k, Batch batch) {
        return embeddings.forward(k, batch);
    }

    @Override
    protected FloatTensor encode(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, ForwardCapture capture) {
        return encoder.forward(k, x, batch, mask, capture);
    }
}
