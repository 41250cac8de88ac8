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
 * transformers' {@code DebertaV2Encoder}: {@code num_hidden_layers} × {@link DebertaV2Layer} (keys {@code layer.N.*}), the
 * {@link DebertaV2ConvLayer} after the first layer when {@code conv_kernel_size} asks ({@code conv.*}), and, with relative attention, the relative position embeddings {@code rel_embeddings} (2·span, hidden), shared by every
 * layer, passed through {@code LayerNorm} when {@code norm_rel_ebd} asks (DeBERTa-v3 does).
 */
public final class DebertaV2Encoder {
    private final DebertaV2Layer[] layers;
    private final FloatTensor relEmbeddings; // (2·span, hidden), normalised at load; null without relative attention
    private final DebertaV2ConvLayer conv;   // after the first layer when conv_kernel_size > 0; else null

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
        this.conv = c.convKernelSize() > 0 ? new DebertaV2ConvLayer(w.prefix("conv"), c) : null;
    }

    /** x (T, hidden) through every layer; returns the last layer's output; each layer's output goes to {@code capture}. */
    public FloatTensor forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, ForwardCapture capture) {
        FloatTensor embeddings = x;
        for (int i = 0; i < layers.length; i++) {
            x = layers[i].forward(k, x, relEmbeddings, batch, mask, capture);
            if (i == 0 && conv != null) x = conv.forward(k, embeddings, x, batch);
            capture.hiddenState(x);
        }
        return x;
    }
}
