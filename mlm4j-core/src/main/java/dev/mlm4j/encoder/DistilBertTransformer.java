package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DistilBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

import java.util.concurrent.atomic.AtomicReference;

/**
 * transformers' DistilBERT {@code Transformer}: {@code n_layers} × {@link DistilBertTransformerBlock}, keys
 * {@code layer.N.*}. Borrows one layer workspace as {@link BertEncoder} does (allocates another when a thread holds it).
 */
public final class DistilBertTransformer {
    private final DistilBertTransformerBlock[] layers;
    private final DistilBertConfig config;
    private final AtomicReference<LayerState> idle = new AtomicReference<>();

    public DistilBertTransformer(Weights w, DistilBertConfig c, Precision precision) {
        this.config = c;
        this.layers = new DistilBertTransformerBlock[c.nLayers()];
        for (int i = 0; i < layers.length; i++) layers[i] = new DistilBertTransformerBlock(w.prefix("layer", i), c, precision);
    }

    /** x (T, dim), updated in place through every block and returned; each block's output goes to {@code capture}. */
    public FloatTensor forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, ForwardCapture capture) {
        int t = x.dim(0);
        LayerState s = idle.getAndSet(null);
        if (s == null || s.capacity() < t) s = new LayerState(t, config.dim(), config.hiddenDim());
        for (DistilBertTransformerBlock layer : layers) {
            layer.forward(k, x, batch, mask, s, capture);
            capture.hiddenState(x);
        }
        if (s.bytes() <= LayerState.RETAIN_BYTES) idle.set(s);
        return x;
    }
}
