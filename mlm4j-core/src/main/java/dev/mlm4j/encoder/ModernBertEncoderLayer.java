package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.tensor.FloatTensor;
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

    /** x (T, hidden) is updated in place to the layer's output. */
    public void forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, ForwardCapture capture) {
        FloatTensor in = x;
        if (attnNorm != null) {
            in = x.copy();
            attnNorm.forward(k, in);
        }
        k.add(x, attn.forward(k, in, batch, mask, capture));
        FloatTensor n = x.copy();
        mlpNorm.forward(k, n);
        k.add(x, mlp.forward(k, n));
    }
}
