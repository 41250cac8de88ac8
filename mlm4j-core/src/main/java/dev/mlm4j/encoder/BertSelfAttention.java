package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.attention.ScaledDotProductAttention;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

import java.util.function.BiConsumer;

/**
 * Q = X W_Q + b_Q, K = X W_K + b_K, V = X W_V + b_V, then per sequence and head the seed's
 * A = softmax(mask(QKᵀ/√d_k)), h = AV, heads merged. Mirrors transformers' {@code BertSelfAttention};
 * keys {@code attention.self.{query,key,value}}. The mask (bidirectional or causal) is the caller's choice.
 */
public final class BertSelfAttention {
    private static final String[] BERT_NAMES = {"query", "key", "value"};

    private final Linear qkv; // hidden → 3·hidden: query, key and value fused into one GEMM
    private final int heads, headSize;
    private final String[] names; // the three projections' keys under this module's scope: query, key, value

    public BertSelfAttention(Weights w, BertConfig c, Precision precision) {
        this(w, BERT_NAMES, c.hiddenSize(), c.numAttentionHeads(), precision);
    }

    /**
     * The same attention on query, key and value projections under other keys ({@code names}, under {@code w}): how
     * another family whose attention is the seed's formula (DistilBERT's {@code q_lin}, {@code k_lin}, {@code v_lin})
     * runs it, and trains it, without a second copy; its gradients and parameters go under those keys.
     */
    BertSelfAttention(Weights w, String[] names, int hidden, int heads, Precision precision) {
        this.qkv = Linear.fused(precision, hidden, new int[] {hidden, hidden, hidden}, w.prefix(names[0]), w.prefix(names[1]), w.prefix(names[2]));
        this.heads = heads;
        this.headSize = hidden / heads;
        this.names = names.clone();
    }

    /**
     * x (T, hidden), a packed batch → the context vectors, heads concatenated, in the state's ctx (T, hidden), which is
     * returned (every element written); Q | K | V go to the state's qkv. When {@code capture} records attention
     * probabilities or scores, this layer's (heads, len, len) per sequence are appended to it (the exact path);
     * otherwise each head takes the tiled path, with no (len, len) matrix.
     */
    public FloatTensor forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, LayerState state, ForwardCapture capture) {
        int hidden = x.dim(1), t = x.dim(0);
        FloatTensor qkvOut = state.qkv(t), ctx = state.ctx(t);
        qkv.forwardInto(k, x, qkvOut);                                                  // (T, 3·hidden)
        FloatTensor q = qkvOut.columns(0, hidden), kk = qkvOut.columns(hidden, hidden), v = qkvOut.columns(2 * hidden, hidden);
        int sequences = batch.size();
        ForwardCapture.LayerAttention record = capture.attention(batch, heads);        // null: nothing to record
        FloatTensor[] probs = record == null ? null : record.probabilities(), scores = record == null ? null : record.scores();
        Parallel.forEach(sequences * heads, task -> {
            int s = task / heads, h = task % heads;
            int off = batch.offset(s), len = batch.length(s);
            FloatTensor qh = q.slice(off, len).columns(h * headSize, headSize), kh = kk.slice(off, len).columns(h * headSize, headSize),
                    vh = v.slice(off, len).columns(h * headSize, headSize), out = ctx.slice(off, len).columns(h * headSize, headSize);
            if (record == null) {
                ScaledDotProductAttention.attend(k, qh, kh, vh, mask, out);      // tiled: no (len, len) matrix
            } else {
                FloatTensor work = probs != null ? probs[s].row(h) : FloatTensor.zeros(len, len); // (len, len)
                ScaledDotProductAttention.attend(k, qh, kh, vh, mask, work, out, scores != null ? scores[s].row(h) : null);
            }
        });
        return ctx;
    }

    // ---- training ------------------------------------------------------------------------------------------

    /**
     * The training forward: as {@link #forward}, on the tiled path with the dropout mask {@code a.probsDrop} on the
     * probabilities (one child mask per sequence and head), saving Q | K | V in {@code a.qkv}, each head's row
     * log-sum-exps in {@code a.lse} and the mask in {@code a.mask}; returns the context {@code a.ctx} (T, hidden).
     */
    FloatTensor forwardTraining(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, LayerActivations a) {
        int hidden = x.dim(1), t = x.dim(0);
        a.mask = mask;
        qkv.forwardInto(k, x, a.qkv);                                                   // (T, 3·hidden)
        FloatTensor q = a.qkv.columns(0, hidden), kk = a.qkv.columns(hidden, hidden), v = a.qkv.columns(2 * hidden, hidden);
        Parallel.forEach(batch.size() * heads, task -> {
            int s = task / heads, h = task % heads, off = batch.offset(s), len = batch.length(s);
            ScaledDotProductAttention.attendTraining(k, head(q, off, len, h), head(kk, off, len, h), head(v, off, len, h), mask,
                    a.probsDrop.child(task), head(a.ctx, off, len, h), a.lse, h * t + off);
        });
        return a.ctx;
    }

    /**
     * Backward: {@code dctx} (T, hidden) at the merged heads → {@code dx} (T, hidden) {@code +=} dQKV · W_qkv; the
     * gradients of {@code query}, {@code key} and {@code value} (weight and bias; DistilBERT's {@code q_lin}, …) under {@code g}. Each head's
     * probabilities are recomputed from Q, K and the saved log-sum-exps.
     *
     * @param x the forward's input (T, hidden)
     */
    void backward(Kernels k, FloatTensor x, Batch batch, LayerActivations a, FloatTensor dctx, FloatTensor dx, Gradients g) {
        int hidden = x.dim(1), t = x.dim(0);
        FloatTensor dqkv = a.grads.dqkv;                  // (T, 3·hidden): every head writes its dq, dk, dv at every row
        FloatTensor q = a.qkv.columns(0, hidden), kk = a.qkv.columns(hidden, hidden), v = a.qkv.columns(2 * hidden, hidden);
        FloatTensor dq = dqkv.columns(0, hidden), dk = dqkv.columns(hidden, hidden), dv = dqkv.columns(2 * hidden, hidden);
        Parallel.forEach(batch.size() * heads, task -> {
            int s = task / heads, h = task % heads, off = batch.offset(s), len = batch.length(s);
            ScaledDotProductAttention.backward(k, head(q, off, len, h), head(kk, off, len, h), head(v, off, len, h), a.mask,
                    a.probsDrop.child(task), head(a.ctx, off, len, h), a.lse, h * t + off,
                    head(dctx, off, len, h), head(dq, off, len, h), head(dk, off, len, h), head(dv, off, len, h));
        });
        intoFused(k, a.grads, names, g, (dw, db) -> qkv.backward(k, x, dqkv, dx, true, dw, db));
    }

    /**
     * Runs {@code backward} with a fused query | key | value projection's gradients, dw (3·hidden, hidden) and db
     * (3·hidden): the parts' own {@code weight} and {@code bias} under {@code g.prefix(names[i])}, stacked
     * ({@link Gradients#stacked}), so the GEMM accumulates into them in place, as every other layer's does; else (parts
     * laid out apart) the zero-filled buffers of {@code grads}, then added into each part. DeBERTa's attention runs its
     * own projections' backward so too.
     */
    static void intoFused(Kernels k, BackwardBuffers grads, String[] names, Gradients g, BiConsumer<FloatTensor, FloatTensor> backward) {
        int hidden = grads.dw.dim(1);
        FloatTensor dw = g.stacked(names, "weight", hidden, hidden), db = dw == null ? null : g.stacked(names, "bias", hidden);
        if (dw != null && db != null) {
            backward.accept(dw, db);
            return;
        }
        dw = Parallel.zeroed(grads.dw);
        db = Parallel.zeroed(grads.db);
        backward.accept(dw, db);
        for (int i = 0; i < 3; i++) {
            k.add(g.prefix(names[i]).tensor("weight", hidden, hidden), dw.slice(i * hidden, hidden));
            k.add(g.prefix(names[i]).tensor("bias", hidden).reshape(1, hidden), db.reshape(3, hidden).row(i).reshape(1, hidden));
        }
    }

    /** Rows [off, off + len) and head h's columns of a (T, hidden) activation. */
    private FloatTensor head(FloatTensor t, int off, int len, int h) {
        return t.slice(off, len).columns(h * headSize, headSize);
    }

    void parameters(Parameters p) {
        qkv.parameters(p.prefix(names[0]), p.prefix(names[1]), p.prefix(names[2]));
    }
}
