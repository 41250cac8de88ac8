package dev.mlm4j.model;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DebertaV2Config;
import dev.mlm4j.config.Precision;
import dev.mlm4j.embeddings.DebertaV2Embeddings;
import dev.mlm4j.encoder.DebertaV2Encoder;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code DebertaV2Model}: {@link DebertaV2Embeddings} → {@link DebertaV2Encoder} (post-norm layers with
 * disentangled relative-position attention); keys {@code embeddings.*}, {@code encoder.*} under {@code deberta.} (a bare
 * model's unprefixed keys arrive as {@code bert.*}, mlm4j's canonical base prefix). No pooler. Immutable and shared.
 */
public final class DebertaV2Model extends EncoderModel<DebertaV2Config> {
    private final DebertaV2Embeddings embeddings;

    public DebertaV2Model(Weights deberta, DebertaV2Config config, Precision precision) {
        DebertaV2Embeddings embeddings = new DebertaV2Embeddings(deberta.prefix("embeddings"), config, precision);
        DebertaV2Encoder encoder = new DebertaV2Encoder(deberta.prefix("encoder"), config, precision);
        super(config, embeddings::forward, encoder::forward);
        this.embeddings = embeddings;
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
}
