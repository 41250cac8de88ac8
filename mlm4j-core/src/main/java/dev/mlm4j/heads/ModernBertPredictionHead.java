package dev.mlm4j.heads;

import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code ModernBertPredictionHead}: {@code norm(gelu(dense(h)))}, keys {@code head.{dense,norm}}; what
 * every classifier of ModernBERT reads (bias only with {@code classifier_bias}/{@code norm_bias}), with its backward.
 * The masked LM's, the same computation before the tied decoder, is {@link BertLMPredictionHead#modernBert}.
 */
public final class ModernBertPredictionHead implements Transform {
    private final Linear dense;
    private final LayerNorm norm;

    public ModernBertPredictionHead(Weights w, ModernBertConfig c, Precision precision) {
        this.dense = Linear.load(w.prefix("dense"), c.hiddenSize(), c.hiddenSize(), c.classifierBias(), precision);
        this.norm = LayerNorm.load(w.prefix("norm"), c.hiddenSize(), c.normEps(), c.normBias());
    }

    /** h (n, hidden) → a new (n, hidden) tensor. */
    @Override
    public FloatTensor forward(Kernels k, FloatTensor h) {
        FloatTensor y = dense.forwardGelu(k, h);
        norm.forward(k, y);
        return y;
    }

    // ---- training ------------------------------------------------------------------------------------------

    /** Training forward on x (n, hidden): {@code pre} ← dense(x), {@code act} ← gelu(pre) (both (n, hidden), saved by the caller); returns norm(act), a new tensor. */
    public FloatTensor forwardTraining(Kernels k, FloatTensor x, FloatTensor pre, FloatTensor act) {
        dense.forwardInto(k, x, pre);
        System.arraycopy(pre.data(), pre.offset(), act.data(), act.offset(), pre.size());
        k.gelu(act);
        FloatTensor y = act.copy();
        norm.forward(k, y);
        return y;
    }

    /** Backward: dy (n, hidden) at the output (overwritten) → dx (n, hidden), written; dense's and norm's gradients under {@code g} (this head's scope). */
    public void backward(Kernels k, FloatTensor x, FloatTensor pre, FloatTensor act, FloatTensor dy, FloatTensor dx, Gradients g) {
        norm.backward(k, act, dy, dy, g.prefix("norm"));
        k.geluBackward(pre, dy);
        dense.backward(k, x, dy, dx, false, g.prefix("dense"));
    }

    public void parameters(Parameters p) {
        dense.parameters(p.prefix("dense"));
        norm.parameters(p.prefix("norm"));
    }
}
