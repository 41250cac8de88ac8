package dev.mlm4j.encoder;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DebertaV2Config;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * transformers' DeBERTa-v2 {@code ConvLayer} (DeBERTa-v2 xlarge/xxlarge; DeBERTa-v3 has none), run once after the first
 * layer: {@code y = LayerNorm(layer0 + act(conv1d(embeddings)))} with a {@code conv_kernel_size}-wide convolution over
 * the tokens of each sequence (zero padding (k − 1)/2 on each side, as the padded batch's zeroed pad rows give), act
 * {@code conv_act}; keys {@code conv.{weight,bias}} ((hidden, hidden, k), (hidden)) and {@code LayerNorm}.
 */
public final class DebertaV2ConvLayer {
    private final FloatTensor[] taps; // per tap t: (out, in) = conv.weight[:, :, t]
    private final FloatTensor bias;
    private final LayerNorm layerNorm;
    private final boolean gelu;

    public DebertaV2ConvLayer(Weights w, DebertaV2Config c) {
        int h = c.hiddenSize(), k = c.convKernelSize();
        FloatTensor weight = w.prefix("conv").tensor("weight", h, h, k);
        this.taps = new FloatTensor[k];
        for (int t = 0; t < k; t++) {
            taps[t] = FloatTensor.zeros(h, h);
            for (int o = 0; o < h; o++) for (int i = 0; i < h; i++) taps[t].data()[o * h + i] = weight.get(o, i, t);
        }
        this.bias = w.prefix("conv").tensor("bias", h);
        this.layerNorm = LayerNorm.load(w.prefix("LayerNorm"), h, c.layerNormEps());
        this.gelu = c.convAct().equals("gelu");
    }

    /** embeddings (T, hidden), the first layer's output residual (T, hidden) → a new (T, hidden) tensor. */
    FloatTensor forward(Kernels k, FloatTensor embeddings, FloatTensor residual, Batch batch) {
        int h = embeddings.dim(1), pad = (taps.length - 1) / 2;
        FloatTensor out = FloatTensor.zeros(embeddings.dim(0), h);
        for (int s = 0; s < batch.size(); s++) {
            int off = batch.offset(s), len = batch.length(s);
            for (int t = 0; t < taps.length; t++) {
                int shift = t - pad;                                  // output row i reads input row i + shift
                int from = Math.max(0, -shift), to = Math.min(len, len - shift);
                if (to <= from) continue;
                FloatTensor part = FloatTensor.zeros(to - from, h);
                k.matmulTransposed(embeddings.slice(off + from + shift, to - from), taps[t], part);
                k.add(out.slice(off + from, to - from), part);
            }
        }
        k.addBias(out, bias);
        if (gelu) {
            k.gelu(out);
        } else {
            float[] d = out.data();
            for (int i = 0; i < d.length; i++) d[i] = (float) Math.tanh(d[i]);
        }
        k.add(out, residual);
        layerNorm.forward(k, out);
        return out;
    }
}
