package dev.mlm4j.model;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.embeddings.ModernBertEmbeddings;
import dev.mlm4j.encoder.ForwardCapture;
import dev.mlm4j.encoder.ModernBertEncoderLayer;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code ModernBertModel}: {@link ModernBertEmbeddings} → {@code num_hidden_layers} pre-norm
 * {@link ModernBertEncoderLayer}s (global attention where {@code layer_types} says {@code full_attention}, a sliding
 * window elsewhere) → {@code final_norm}; keys {@code embeddings.*}, {@code layers.N.*}, {@code final_norm} under
 * {@code model.} (a bare model's unprefixed keys also load: its {@code embeddings.*} arrive as mlm4j's canonical
 * {@code bert.embeddings.*}). Rotary positions restart at 0 in each sequence of the packed batch.
 */
public final class ModernBertModel extends EncoderModel<ModernBertConfig> {
    private final ModernBertEmbeddings embeddings;

    private ModernBertModel(Weights embeddingScope, Weights model, ModernBertConfig c, Precision precision) {
        ModernBertEmbeddings embeddings = new ModernBertEmbeddings(embeddingScope, c);
        ModernBertEncoderLayer[] layers = new ModernBertEncoderLayer[c.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) layers[i] = new ModernBertEncoderLayer(model.prefix("layers", i), c, i, precision);
        LayerNorm finalNorm = LayerNorm.load(model.prefix("final_norm"), c.hiddenSize(), c.normEps(), c.normBias());
        super(c, embeddings::forward, (k, x, batch, mask, capture) -> encode(layers, finalNorm, k, x, batch, mask, capture));
        this.embeddings = embeddings;
    }

    /** The base model in {@code source}: under {@code model.} (every ModernBertFor…) or unprefixed (a bare ModernBertModel). */
    public static ModernBertModel load(TensorSource source, ModernBertConfig config, Precision precision) {
        Weights root = new Weights(source);
        boolean prefixed = source.containsAnyUnder("model.embeddings.");
        return new ModernBertModel(prefixed ? root.prefix("model").prefix("embeddings") : root.prefix("bert").prefix("embeddings"),
                prefixed ? root.prefix("model") : root, config, precision);
    }

    public ModernBertEmbeddings embeddings() {
        return embeddings;
    }

    /** The layers, then {@code final_norm}; ModernBERT has no encoder module holding them (transformers' {@code ModernBertModel.forward}). */
    private static FloatTensor encode(ModernBertEncoderLayer[] layers, LayerNorm finalNorm, Kernels k, FloatTensor x, Batch batch,
                                      AttentionMask mask, ForwardCapture capture) {
        for (int i = 0; i < layers.length; i++) {
            layers[i].forward(k, x, batch, mask, capture);
            if (i < layers.length - 1) capture.hiddenState(x);
        }
        finalNorm.forward(k, x);
        capture.hiddenState(x);                 // as transformers: the last hidden state is after final_norm
        return x;
    }
}
