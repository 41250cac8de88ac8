package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
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

    /** Training forward: a.attn ← LayerNorm(x + dropout(dense(SelfAttention(x)))), saving what the backward needs in {@code a}. */
    FloatTensor forwardTraining(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, LayerActivations a) {
        return output.forwardTraining(k, self.forwardTraining(k, x, batch, mask, a), x, a.attnDrop, a.attnSum, a.attn);
    }

    /** Backward: dy (T, hidden) at a.attn → dx (T, hidden), written (the residual's part plus the projections'). */
    void backward(Kernels k, FloatTensor x, Batch batch, LayerActivations a, FloatTensor dy, FloatTensor dx, Gradients g) {
        FloatTensor dctx = BackwardBuffers.zeroed(a.grads.dctx);                        // (T, hidden)
        output.backward(k, a.ctx, a.attnSum, a.attnDrop, dy, dctx, dx, g.prefix("output"));
        self.backward(k, x, batch, a, dctx, dx, g.prefix("self"));
    }

    void parameters(Parameters p) {
        self.parameters(p.prefix("self"));
        output.parameters(p.prefix("output"));
    }
}
