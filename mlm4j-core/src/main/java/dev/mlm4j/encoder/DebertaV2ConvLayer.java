package dev.mlm4j.encoder;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DebertaV2Config;
import dev.mlm4j.kernels.DropoutMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

/**
 * transformers' DeBERTa-v2 {@code ConvLayer} (DeBERTa-v2 xlarge/xxlarge; DeBERTa-v3 has none), run once after the first
 * layer: {@code y = LayerNorm(layer0 + act(dropout(conv1d(embeddings))))} with a {@code conv_kernel_size}-wide
 * convolution over the tokens of each sequence (zero padding (k − 1)/2 on each side, as the padded batch's zeroed pad
 * rows give), act {@code conv_act}; keys {@code conv.{weight,bias}} ((hidden, hidden, k), (hidden)) and {@code LayerNorm}.
 * Each forward reads its taps from the weight as stored (the parameter a training step updates).
 */
public final class DebertaV2ConvLayer {
    private final FloatTensor weight; // (out, in, k) conv.weight
    private final FloatTensor bias;   // (out)
    private final LayerNorm layerNorm;
    private final boolean gelu;

    public DebertaV2ConvLayer(Weights w, DebertaV2Config c) {
        int h = c.hiddenSize(), k = c.convKernelSize();
        this.weight = w.prefix("conv").tensor("weight", h, h, k);
        this.bias = w.prefix("conv").tensor("bias", h);
        this.layerNorm = LayerNorm.load(w.prefix("LayerNorm"), h, c.layerNormEps());
        this.gelu = c.convAct().equals("gelu");
    }

    /** Tap t of the weight: (out, in) = conv.weight[:, :, t], a copy. */
    private FloatTensor tap(int t) {
        int out = weight.dim(0), in = weight.dim(1), k = weight.dim(2);
        FloatTensor tap = FloatTensor.zeros(out, in);
        float[] w = weight.data(), d = tap.data();
        for (int o = 0; o < out; o++) for (int i = 0; i < in; i++) d[o * in + i] = w[weight.offset() + (o * in + i) * k + t];
        return tap;
    }

    /** pre (T, hidden) ← conv1d(embeddings) + bias, per sequence. */
    private FloatTensor convolve(Kernels k, FloatTensor embeddings, Batch batch) {
        int h = embeddings.dim(1), taps = weight.dim(2), pad = (taps - 1) / 2;
        FloatTensor out = FloatTensor.zeros(embeddings.dim(0), h);
        for (int t = 0; t < taps; t++) {
            FloatTensor w = tap(t);
            int shift = t - pad;                                      // output row i reads input row i + shift
            for (int s = 0; s < batch.size(); s++) {
                int off = batch.offset(s), len = batch.length(s);
                int from = Math.max(0, -shift), to = Math.min(len, len - shift);
                if (to <= from) continue;
                FloatTensor part = FloatTensor.zeros(to - from, h);
                k.matmulTransposed(embeddings.slice(off + from + shift, to - from), w, part);
                k.add(out.slice(off + from, to - from), part);
            }
        }
        k.addBias(out, bias);
        return out;
    }

    /** x ← conv_act(x), in place. */
    private void activate(Kernels k, FloatTensor x) {
        if (gelu) {
            k.gelu(x);
        } else {
            float[] d = x.data();
            for (int i = x.offset(); i < x.offset() + x.size(); i++) d[i] = (float) Math.tanh(d[i]);
        }
    }

    /** embeddings (T, hidden), the first layer's output residual (T, hidden) → a new (T, hidden) tensor. */
    FloatTensor forward(Kernels k, FloatTensor embeddings, FloatTensor residual, Batch batch) {
        FloatTensor out = convolve(k, embeddings, batch);
        activate(k, out);
        k.add(out, residual);
        layerNorm.forward(k, out);
        return out;
    }

    // ---- training ------------------------------------------------------------------------------------------

    /** What the training forward saves: the convolution's output before dropout and act, and the LayerNorm's input. */
    record Saved(FloatTensor pre, FloatTensor sum, DropoutMask drop) {}

    /** The training forward: y (T, hidden) ← LayerNorm(residual + act(drop(conv(embeddings)))), written; returns what the backward needs. */
    Saved forwardTraining(Kernels k, FloatTensor embeddings, FloatTensor residual, Batch batch, DropoutMask drop, FloatTensor y) {
        FloatTensor pre = convolve(k, embeddings, batch), sum = pre.copy();
        drop.apply(sum);
        activate(k, sum);
        k.add(sum, residual);
        LayerActivations.copy(sum, y);
        layerNorm.forward(k, y);
        return new Saved(pre, sum, drop);
    }

    /**
     * Backward: dy (T, hidden) at y → {@code dresidual} (written) and {@code dembeddings} ({@code +=}); the gradients of
     * {@code conv.weight}, {@code conv.bias} and {@code LayerNorm} under {@code g} (this module's scope).
     */
    void backward(Kernels k, FloatTensor embeddings, Batch batch, Saved s, FloatTensor dy, FloatTensor dresidual, FloatTensor dembeddings, Gradients g) {
        int h = embeddings.dim(1), taps = weight.dim(2), pad = (taps - 1) / 2;
        layerNorm.backward(k, s.sum(), dy, dresidual, g.prefix("LayerNorm"));
        FloatTensor z = s.pre().copy(), dpre = dresidual.copy();                 // z: the activation's input
        s.drop().apply(z);
        if (gelu) {
            k.geluBackward(z, dpre);
        } else {
            float[] d = dpre.data(), zd = z.data();
            for (int i = 0; i < d.length; i++) {
                float a = (float) Math.tanh(zd[i]);
                d[i] *= 1 - a * a;
            }
        }
        s.drop().apply(dpre);
        Gradients conv = g.prefix("conv");
        FloatTensor dw = conv.tensor("weight", h, h, taps), db = conv.tensor("bias", h);
        float[] dbd = db.data(), dd = dpre.data();
        for (int i = 0; i < dpre.dim(0); i++) for (int o = 0; o < h; o++) dbd[db.offset() + o] += dd[i * h + o];
        for (int t = 0; t < taps; t++) {
            FloatTensor w = tap(t), dtap = FloatTensor.zeros(h, h);
            int shift = t - pad;
            for (int s2 = 0; s2 < batch.size(); s2++) {
                int off = batch.offset(s2), len = batch.length(s2);
                int from = Math.max(0, -shift), to = Math.min(len, len - shift);
                if (to <= from) continue;
                FloatTensor in = embeddings.slice(off + from + shift, to - from), d = dpre.slice(off + from, to - from);
                k.linearWeightGrad(in, d, dtap, null);                            // dW_t += dᵀ · in
                FloatTensor part = FloatTensor.zeros(to - from, h);
                k.matmul(d, w, part);                                             // d · W_t
                k.add(dembeddings.slice(off + from + shift, to - from), part);
            }
            float[] dwd = dw.data(), td = dtap.data();
            for (int o = 0; o < h; o++) for (int i = 0; i < h; i++) dwd[dw.offset() + (o * h + i) * taps + t] += td[o * h + i];
        }
    }

    void parameters(Parameters p) {
        p.prefix("conv").add("weight", weight);
        p.prefix("conv").add("bias", bias);
        layerNorm.parameters(p.prefix("LayerNorm"));
    }
}
