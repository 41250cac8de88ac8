package dev.mlm4j.model;

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
public final class DebertaV2Model implements Encoder {
    private final DebertaV2Config config;
    private final DebertaV2Embeddings embeddings;
    private final DebertaV2Encoder encoder;

    public DebertaV2Model(Weights deberta, DebertaV2Config config, Precision precision) {
        this.config = config;
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

    @Override
    public DebertaV2Config config() {
        return config;
    }

    public DebertaV2Embeddings embeddings() {
        return embeddings;
    }

    @Override
    public EncoderOutput forward(Kernels k, Batch batch, ForwardOptions options) {
        if (config.positionBiasedInput()) FamilyChecks.fits(batch, config.maxPositionEmbeddings());   // relative positions: no table to run past
        ForwardCapture capture = options.capture();
        FloatTensor x = embeddings.forward(k, batch);
        capture.hiddenState(x);
        x = encoder.forward(k, x, batch, options.mask(), capture);
        return EncoderOutput.captured(batch, x, capture);
    }
}
