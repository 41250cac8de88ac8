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

    public BertLayer(Weights w, BertConfig c, Precision precision) {
        this.attention = new BertAttention(w.prefix("attention"), c, precision);
        this.intermediate = new BertIntermediate(w.prefix("intermediate"), c, precision);
        this.output = new BertOutput(w.prefix("output"), c, precision);
    }

    /**
     * x (T, hidden) → the layer's output, written over x (the input is not needed once {@code a} exists);
     * the layer's other activations live in {@code s}. The attention records into {@code capture} what it asks for
     * ({@link BertSelfAttention#forward}); {@link ForwardCapture#NONE} for nothing.
     */
    public void forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, LayerState s, ForwardCapture capture) {
        int t = x.dim(0);
        FloatTensor a = attention.forward(k, x, batch, mask, s, capture);                // (T, hidden)
        output.forward(k, intermediate.forward(k, a, s.inter(t)), a, x);             // (T, intermediate) → x
    }

    /** Training forward: x (T, hidden) → y (T, hidden), a different buffer (x is kept for the backward); internals saved in {@code a}. */
    public void forwardTraining(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, LayerActivations a, FloatTensor y) {
        a.rows = null;                                                                               // every row: a state used before on rows forgets them
        FloatTensor attn = attention.forwardTraining(k, x, batch, mask, a);                          // (T, hidden)
        output.forwardTraining(k, intermediate.forwardTraining(k, attn, a.interPre, a.inter), attn, a.outDrop, a.outSum, y);
    }

    /**
     * The training forward of a last layer whose output is read only at {@code rows} (distinct; e.g. the masked rows of
     * an MLM step, each sequence's [CLS] of a classification step): y's rows rows[i] are written, as
     * {@link #forwardTraining(Kernels, FloatTensor, Batch, AttentionMask, LayerActivations, FloatTensor)} writes them
     * (the same numbers, dropout included), its other rows are left as they are. The attention runs on every row (each
     * is a key and a value); the output projection, the feed-forward block and their LayerNorms on those rows only — for
     * a loss on [CLS], three quarters of the layer's products. The backward ({@link #backward}) follows {@code a.rows}.
     */
    public void forwardTraining(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, LayerActivations a, FloatTensor y, int[] rows) {
        a.rows = rows.clone();
        int m = rows.length;
        FloatTensor attn = attention.forwardTraining(k, x, batch, mask, a);                         // (m, hidden): it follows a.rows
        FloatTensor out = FloatTensor.zeros(m, y.dim(1));
        output.forwardTraining(k, intermediate.forwardTraining(k, attn, a.interPre.slice(0, m), a.inter.slice(0, m)), attn,
                a.outDrop.atRows(a.rows), a.outSum.slice(0, m), out);
        out.scatterRows(a.rows, y);
    }

    /**
     * Backward: dy (T, hidden) at the layer's output → dx (T, hidden) at its input x (written; zero-filled on entry); the
     * parameters' gradients under {@code g} (this layer's scope). After the forward on rows only dy's rows there are read.
     */
    public void backward(Kernels k, FloatTensor x, Batch batch, LayerActivations a, FloatTensor dy, FloatTensor dx, Gradients g) {
        if (a.rows != null) {
            backwardRows(k, x, batch, a, dy.gatherRows(a.rows), dx, g);
            return;
        }
        FloatTensor dinter = a.grads.dinter, dattn = a.grads.dattn;                 // (T, intermediate), (T, hidden): both written
        output.backward(k, a.inter, a.outSum, a.outDrop, dy, dinter, dattn, g.prefix("output"));   // dattn = the residual's part
        intermediate.backward(k, a.attn, a.interPre, dinter, dattn, g.prefix("intermediate"));
        attention.backward(k, x, batch, a, dattn, dx, g.prefix("attention"));
    }

    /** The backward of the forward on rows: dy (m, hidden) at those rows. */
    private void backwardRows(Kernels k, FloatTensor x, Batch batch, LayerActivations a, FloatTensor dy, FloatTensor dx, Gradients g) {
        int m = a.rows.length;
        FloatTensor dinter = a.grads.dinter.slice(0, m), dattn = a.grads.dattn.slice(0, m);           // both written
        output.backward(k, a.inter.slice(0, m), a.outSum.slice(0, m), a.outDrop.atRows(a.rows), dy, dinter, dattn, g.prefix("output"));
        intermediate.backward(k, a.attn.slice(0, m), a.interPre.slice(0, m), dinter, dattn, g.prefix("intermediate"));
        attention.backward(k, x, batch, a, dattn, dx, g.prefix("attention"));
    }

    void parameters(Parameters p) {
        attention.parameters(p.prefix("attention"));
        intermediate.parameters(p.prefix("intermediate"));
        output.parameters(p.prefix("output"));
    }
}
