package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code ModernBertEncoderLayer}, pre-norm: {@code h = x + attn(attn_norm(x))}, {@code y = h +
 * mlp(mlp_norm(h))}; keys {@code attn_norm} (absent on layer 0, where it is the identity), {@code attn.*},
 * {@code mlp_norm}, {@code mlp.*}.
 */
public final class ModernBertEncoderLayer {
    private final LayerNorm attnNorm; // null on layer 0
    private final ModernBertAttention attn;
    private final LayerNorm mlpNorm;
    private final ModernBertMLP mlp;

    public ModernBertEncoderLayer(Weights w, ModernBertConfig c, int layer, Precision precision) {
        this.attnNorm = layer == 0 ? null : LayerNorm.load(w.prefix("attn_norm"), c.hiddenSize(), c.normEps(), c.normBias());
        this.attn = new ModernBertAttention(w.prefix("attn"), c, layer, precision);
        this.mlpNorm = LayerNorm.load(w.prefix("mlp_norm"), c.hiddenSize(), c.normEps(), c.normBias());
        this.mlp = new ModernBertMLP(w.prefix("mlp"), c, precision);
    }

    /**
     * x (T, hidden) is updated in place to the layer's output; the layer's other activations live in {@code s}
     * ({@link #states}: attn holds the normalised input of each half, qkv and ctx the attention's, inter the MLP's
     * input | gate).
     */
    public void forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, LayerState s, ForwardCapture capture) {
        int t = x.dim(0);
        FloatTensor in = x;
        if (attnNorm != null) {
            in = copy(x, s.attn(t));
            attnNorm.forward(k, in);
        }
        attn.forward(k, in, batch, mask, s, capture, x);                       // x += Wo(attention(in))
        FloatTensor n = copy(x, s.attn(t));
        mlpNorm.forward(k, n);
        mlp.forward(k, n, s.inter(t), x);                                       // x += Wo(gelu(input) · gate)
    }

    private static FloatTensor copy(FloatTensor from, FloatTensor to) {
        LayerActivations.copy(from, to);
        return to;
    }

    /** The pool of inference states for a model of config {@code c}'s layers. */
    public static LayerStatePool states(ModernBertConfig c) {
        return new LayerStatePool(c.hiddenSize(), 2 * c.intermediateSize());
    }

    // ---- training ------------------------------------------------------------------------------------------

    /**
     * Training forward: x (T, hidden) → y (T, hidden), a different buffer (x is kept for the backward), internals saved
     * in {@code a}: mid = x + out_drop(attn(attn_norm(x))), y = mid + mlp(mlp_norm(mid)).
     */
    public void forwardTraining(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, ModernBertLayerActivations a, FloatTensor y) {
        LayerActivations.copy(x, a.attnIn);
        if (attnNorm != null) attnNorm.forward(k, a.attnIn);
        FloatTensor o = attn.forwardTraining(k, a.attnIn, batch, mask, a);
        a.attnDrop.apply(o);
        LayerActivations.copy(x, a.mid);
        k.add(a.mid, o);
        LayerActivations.copy(a.mid, a.mlpIn);
        mlpNorm.forward(k, a.mlpIn);
        FloatTensor m = mlp.forwardTraining(k, a.mlpIn, a);
        LayerActivations.copy(a.mid, y);
        k.add(y, m);
    }

    /** Backward: dy (T, hidden) at the layer's output → dx (T, hidden) at its input x (written); gradients under {@code g} (this layer's scope). */
    public void backward(Kernels k, FloatTensor x, Batch batch, ModernBertLayerActivations a, FloatTensor dy, FloatTensor dx, Gradients g) {
        int t = x.dim(0), h = x.dim(1);
        FloatTensor dmlpIn = mlp.backward(k, a.mlpIn, a, dy, g.prefix("mlp"));
        FloatTensor dmid = FloatTensor.zeros(t, h);
        mlpNorm.backward(k, a.mid, dmlpIn, dmid, g.prefix("mlp_norm"));
        k.add(dmid, dy);                                                                // the residual
        FloatTensor dO = dmid.copy();
        a.attnDrop.apply(dO);
        FloatTensor dattnIn = attn.backward(k, a.attnIn, batch, a, dO, g.prefix("attn"));
        if (attnNorm != null) attnNorm.backward(k, x, dattnIn, dx, g.prefix("attn_norm"));
        else LayerActivations.copy(dattnIn, dx);
        k.add(dx, dmid);                                                                // the residual
    }

    public void parameters(Parameters p) {
        if (attnNorm != null) attnNorm.parameters(p.prefix("attn_norm"));
        attn.parameters(p.prefix("attn"));
        mlpNorm.parameters(p.prefix("mlp_norm"));
        mlp.parameters(p.prefix("mlp"));
    }
}
