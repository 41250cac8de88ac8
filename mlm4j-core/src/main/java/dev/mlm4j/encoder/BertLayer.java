package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.model.Batch;
import dev.mlm4j.model.BertConfig;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * One post-norm encoder layer: transformers' {@code BertLayer}; keys {@code encoder.layer.N.{attention,intermediate,output}}.
 * <pre>
 *   a = LayerNorm(x + Dense(SelfAttention(x)))
 *   y = LayerNorm(a + Dense(GELU(Dense(a))))
 * </pre>
 */
public final class BertLayer {
    private final BertAttention attention;
    private final BertIntermediate intermediate;
    private final BertOutput output;

    public BertLayer(Weights w, BertConfig c) {
        this.attention = new BertAttention(w.prefix("attention"), c);
        this.intermediate = new BertIntermediate(w.prefix("intermediate"), c);
        this.output = new BertOutput(w.prefix("output"), c);
    }

    /** (T, hidden) → (T, hidden); probs as in {@link BertSelfAttention#forward}. */
    public FloatTensor forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, FloatTensor[] probs) {
        return forward(k, x, batch, mask, probs, null);
    }

    /** As above; {@code scores}, if non-null, receives the pre-mask scores as in {@link BertSelfAttention#forward}. */
    public FloatTensor forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, FloatTensor[] probs, FloatTensor[] scores) {
        FloatTensor a = attention.forward(k, x, batch, mask, probs, scores);
        return output.forward(k, intermediate.forward(k, a), a);
    }
}
