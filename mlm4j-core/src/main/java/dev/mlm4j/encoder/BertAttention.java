package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.kernels.DropoutMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Parallel;
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

    /**
     * Training forward: a.attn ← LayerNorm(x + dropout(dense(SelfAttention(x)))), saving what the backward needs in
     * {@code a}; returns a.attn. With {@code a.rows} set (the last layer of a step whose loss reads only those rows,
     * distinct) the self-attention still runs on every row (each is a key and a value), the projection, dropout,
     * residual and LayerNorm on those rows only, into the first rows.length rows of a.attnSum and a.attn; then it
     * returns that (m, hidden) view of a.attn, whose row i is what the full forward computes at row rows[i], the same
     * dropout included ({@link DropoutMask#atRows}).
     */
    FloatTensor forwardTraining(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, LayerActivations a) {
        FloatTensor ctx = self.forwardTraining(k, x, batch, mask, a);                     // (T, hidden)
        if (a.rows == null) return output.forwardTraining(k, ctx, x, a.attnDrop, a.attnSum, a.attn);
        int m = a.rows.length;
        return output.forwardTraining(k, ctx.gatherRows(a.rows), x.gatherRows(a.rows), a.attnDrop.atRows(a.rows), a.attnSum.slice(0, m), a.attn.slice(0, m));
    }

    /**
     * Backward: dy (T, hidden) at a.attn → dx (T, hidden), written (the residual's part plus the projections'). After the
     * forward on rows, dy is (m, hidden) at those rows and dx (T, hidden) must come in zero-filled.
     */
    void backward(Kernels k, FloatTensor x, Batch batch, LayerActivations a, FloatTensor dy, FloatTensor dx, Gradients g) {
        // (T, hidden): written by the projection's backward on every row, else (below) at a.rows only, the rest zero
        FloatTensor dctx = a.rows == null ? a.grads.dctx : Parallel.zeroed(a.grads.dctx);
        if (a.rows == null) {
            output.backward(k, a.ctx, a.attnSum, a.attnDrop, dy, dctx, dx, g.prefix("output"));
        } else {                                                                        // the projection's part at those rows only
            int m = a.rows.length, h = dy.dim(1);
            FloatTensor dctxRows = FloatTensor.zeros(m, h), dxRows = FloatTensor.zeros(m, h);
            output.backward(k, a.ctx.gatherRows(a.rows), a.attnSum.slice(0, m), a.attnDrop.atRows(a.rows), dy, dctxRows, dxRows, g.prefix("output"));
            dctxRows.scatterRows(a.rows, dctx);
            dxRows.scatterRows(a.rows, dx);
        }
        self.backward(k, x, batch, a, dctx, dx, g.prefix("self"));
    }

    void parameters(Parameters p) {
        self.parameters(p.prefix("self"));
        output.parameters(p.prefix("output"));
    }
}
