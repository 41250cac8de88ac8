package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DebertaV2Config;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code DebertaV2Layer}, post-norm as BERT's: {@code DebertaV2Attention} (keys {@code attention.self.*}:
 * the {@link DisentangledSelfAttention}; {@code attention.output.{dense,LayerNorm}}: a = LayerNorm(x + dense(ctx))),
 * {@code DebertaV2Intermediate} ({@code intermediate.dense}, GELU) and {@code DebertaV2Output}
 * ({@code output.{dense,LayerNorm}}: y = LayerNorm(a + dense(gelu(intermediate(a))))).
 */
public final class DebertaV2Layer {
    private final DisentangledSelfAttention attention;
    private final Linear attentionOutput;      // attention.output.dense, hidden → hidden
    private final LayerNorm attentionNorm;     // attention.output.LayerNorm
    private final Linear intermediate;         // intermediate.dense, hidden → intermediate
    private final Linear output;               // output.dense, intermediate → hidden
    private final LayerNorm outputNorm;        // output.LayerNorm
    private final DenseResidualNorm attentionOutputNorm; // DebertaV2SelfOutput in training: LayerNorm(x + dropout(dense(ctx)))
    private final DenseResidualNorm outputResidualNorm;  // DebertaV2Output in training: LayerNorm(a + dropout(dense(inter)))

    public DebertaV2Layer(Weights w, DebertaV2Config c, Precision precision) {
        int h = c.hiddenSize();
        Weights att = w.prefix("attention");
        this.attention = new DisentangledSelfAttention(att.prefix("self"), c, precision);
        this.attentionOutput = Linear.load(att.prefix("output").prefix("dense"), h, h, precision);
        this.attentionNorm = LayerNorm.load(att.prefix("output").prefix("LayerNorm"), h, c.layerNormEps());
        this.intermediate = Linear.load(w.prefix("intermediate").prefix("dense"), h, c.intermediateSize(), precision);
        this.output = Linear.load(w.prefix("output").prefix("dense"), c.intermediateSize(), h, precision);
        this.outputNorm = LayerNorm.load(w.prefix("output").prefix("LayerNorm"), h, c.layerNormEps());
        this.attentionOutputNorm = new DenseResidualNorm(attentionOutput, attentionNorm);
        this.outputResidualNorm = new DenseResidualNorm(output, outputNorm);
    }

    /** x (T, hidden) → the layer's output, written over x; the layer's other activations live in {@code s}. */
    void forward(Kernels k, FloatTensor x, FloatTensor rel, Batch batch, AttentionMask mask, LayerState s, ForwardCapture capture) {
        int t = x.dim(0);
        FloatTensor a = attentionOutput.forwardPlusInto(k, attention.forward(k, x, rel, batch, mask, s, capture), x, s.attn(t));
        attentionNorm.forward(k, a);
        output.forwardPlusInto(k, intermediate.forwardGeluInto(k, a, s.inter(t)), a, x);
        outputNorm.forward(k, x);
    }

    // ---- training: BERT's layer on these modules (the same post-norm arithmetic, BERT's activation buffers) ----

    /**
     * Training forward: x (T, hidden) → y (T, hidden), a different buffer (x is kept for the backward); internals saved in
     * {@code a}, the relative projections (from this layer's dropped-out copy of the relative embeddings) in {@code r}
     * (null without relative attention). Dropout on the attention probabilities and after both output denses, as
     * transformers' DebertaV2SelfOutput and DebertaV2Output apply it.
     */
    void forwardTraining(Kernels k, FloatTensor x, RelativeActivations r, int layer, Batch batch, AttentionMask mask, LayerActivations a, FloatTensor y) {
        DisentangledSelfAttention.Positions pos = r == null ? null : r.project(k, layer, attention);
        FloatTensor ctx = attention.forwardTraining(k, x, pos, batch, mask, a);                                     // (T, hidden)
        FloatTensor attn = attentionOutputNorm.forwardTraining(k, ctx, x, a.attnDrop, a.attnSum, a.attn);
        outputResidualNorm.forwardTraining(k, BertIntermediate.forwardTraining(k, intermediate, attn, a.interPre, a.inter), attn, a.outDrop, a.outSum, y);
    }

    /**
     * Backward: dy (T, hidden) at the layer's output → dx (T, hidden) at its input x (written), the relative embeddings'
     * gradient added into {@code r}; the parameters' gradients under {@code g} (this layer's scope).
     */
    void backward(Kernels k, FloatTensor x, RelativeActivations r, int layer, Batch batch, LayerActivations a, FloatTensor dy, FloatTensor dx, Gradients g) {
        FloatTensor dinter = Parallel.zeroed(a.grads.dinter), dattn = Parallel.zeroed(a.grads.dattn); // (T, intermediate), (T, hidden)
        outputResidualNorm.backward(k, a.inter, a.outSum, a.outDrop, dy, dinter, dattn, g.prefix("output"));     // dattn = the residual's part
        BertIntermediate.backward(k, intermediate, a.attn, a.interPre, dinter, dattn, g.prefix("intermediate").prefix("dense"));
        FloatTensor dctx = Parallel.zeroed(a.grads.dctx);
        Gradients attentionGrads = g.prefix("attention");
        attentionOutputNorm.backward(k, a.ctx, a.attnSum, a.attnDrop, dattn, dctx, dx, attentionGrads.prefix("output"));
        FloatTensor drel = r == null ? null : FloatTensor.zeros(r.rel.dim(0), r.rel.dim(1));
        attention.backward(k, x, r == null ? null : r.positions(layer), r == null ? null : r.input(layer), batch, a, dctx, dx, drel,
                attentionGrads.prefix("self"));
        if (r != null) r.add(k, layer, drel);
    }

    void parameters(Parameters p) {
        Parameters att = p.prefix("attention");
        attention.parameters(att.prefix("self"));
        attentionOutputNorm.parameters(att.prefix("output"));
        intermediate.parameters(p.prefix("intermediate").prefix("dense"));
        outputResidualNorm.parameters(p.prefix("output"));
    }
}
