package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DebertaV2Config;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code DebertaV2Encoder}: {@code num_hidden_layers} × {@link DebertaV2Layer} (keys {@code layer.N.*}) and,
 * with relative attention, the relative position embeddings {@code rel_embeddings} (2·span, hidden), shared by every
 * layer, passed through {@code LayerNorm} when {@code norm_rel_ebd} asks (DeBERTa-v3 does).
 */
public final class DebertaV2Encoder {
    private final DebertaV2Layer[] layers;
    private final FloatTensor relEmbeddings; // (2·span, hidden), normalised at load; null without relative attention

    public DebertaV2Encoder(Weights w, DebertaV2Config c, Precision precision) {
        this.layers = new DebertaV2Layer[c.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) layers[i] = new DebertaV2Layer(w.prefix("layer", i), c, precision);
        if (c.relativeAttention()) {
            FloatTensor rel = w.prefix("rel_embeddings").tensor("weight", c.relativeEmbeddings(), c.hiddenSize()).copy();
            if (c.normRelEmbeddings()) LayerNorm.load(w.prefix("LayerNorm"), c.hiddenSize(), c.layerNormEps()).forward(Kernels.get(), rel);
            this.relEmbeddings = rel;
        } else {
            this.relEmbeddings = null;
        }
    }

    /** x (T, hidden) through every layer; returns the last layer's output; each layer's output goes to {@code capture}. */
    public FloatTensor forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, ForwardCapture capture) {
        for (DebertaV2Layer layer : layers) {
            x = layer.forward(k, x, relEmbeddings, batch, mask, capture);
            capture.hiddenState(x);
        }
        return x;
    }
}
