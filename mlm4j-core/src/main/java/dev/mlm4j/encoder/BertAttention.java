package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/** Self-attention then its output projection: transformers' {@code BertAttention}; keys {@code attention.{self,output}}. */
public final class BertAttention {
    private final BertSelfAttention self;
    private final BertSelfOutput output;

    public BertAttention(Weights w, BertConfig c, Precision precision) {
        this.self = new BertSelfAttention(w.prefix("self"), c, precision);
        this.output = new BertSelfOutput(w.prefix("output"), c, precision);
    }

    /** (T, hidden) → state's attn (T, hidden) = LayerNorm(x + dense(SelfAttention(x))); capture as in {@link BertSelfAttention#forward}. */
    public FloatTensor forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, LayerState s, ForwardCapture capture) {
        int t = x.dim(0);
        return output.forward(k, self.forward(k, x, batch, mask, s, capture), x, s.attn(t));
    }
}
