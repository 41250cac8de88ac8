package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.DropoutMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code ModernBertAttention}: keys {@code Wqkv} (3·hidden, hidden; Q | K | V, no bias unless
 * {@code attention_bias}) and {@code Wo}. Per sequence and head, with R_p the rotation of position p
 * ({@link ModernBertRotaryEmbedding}, θ of the layer's type),
 * <pre>
 *   S[i][j] = (R_i q_i)·(R_j k_j) / √d,   masked to −∞ where |i − j| > local_attention/2 on a sliding-window layer
 *   A = softmax(S),  h = A V,  out = Wo h
 * </pre>
 * A is what {@link ForwardCapture} records (zeros outside the window). transformers pads a batch and masks the pads;
 * mlm4j packs it, so each sequence's positions start at 0 as transformers' right-padded rows do. Both kinds of layer run
 * the tiled kernels ({@link Kernels#attention}; in training {@link Kernels#attentionTraining} and
 * {@link Kernels#attentionBackward}), a sliding-window layer with its half-window, so that each query tile only meets
 * the key tiles its window reaches and no (len, len) matrix is built.
 */
public final class ModernBertAttention {
    private final Linear wqkv; // hidden → 3·hidden
    private final Linear wo;   // hidden → hidden
    private final ModernBertRotaryEmbedding rotary;
    private final int heads, headSize, halfWindow; // halfWindow < 0: global layer
    private final float scale;

    ModernBertAttention(Weights w, ModernBertConfig c, int layer, Precision precision) {
        int h = c.hiddenSize();
        this.wqkv = Linear.load(w.prefix("Wqkv"), h, 3 * h, c.attentionBias(), precision);
        this.wo = Linear.load(w.prefix("Wo"), h, h, c.attentionBias(), precision);
        this.heads = c.numAttentionHeads();
        this.headSize = c.headSize();
        this.halfWindow = c.isLocal(layer) ? c.halfWindow() : -1;
        this.rotary = new ModernBertRotaryEmbedding(c.isLocal(layer) ? c.localRopeTheta() : c.globalRopeTheta(), headSize);
        this.scale = (float) Math.pow(headSize, -0.5);                 // head_dim ** -0.5
    }

    /**
     * x (T, hidden), already normalised by the layer: {@code residual} (T, hidden) += Wo(attention(x)); Q | K | V and
     * the heads' outputs in {@code s}' qkv and ctx, Wo's output in its attn (x may be that buffer, or the residual
     * itself: layer 0 has no attn_norm). Wo's output is added after the GEMM rather than in its epilogue, as transformers
     * adds it: started from the residual, the GEMM's sums took ModernBERT-base 7e-5 from transformers' hidden states
     * instead of 6e-6.
     */
    void forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, LayerState s, ForwardCapture capture, FloatTensor residual) {
        int hidden = x.dim(1), t = x.dim(0);
        FloatTensor qkv = wqkv.forwardInto(k, x, s.qkv(t)), ctx = s.ctx(t);
        FloatTensor q = qkv.columns(0, hidden), kk = qkv.columns(hidden, hidden), v = qkv.columns(2 * hidden, hidden);
        ForwardCapture.LayerAttention record = capture.attention(batch, heads);
        FloatTensor[] probs = record == null ? null : record.probabilities(), scores = record == null ? null : record.scores();
        Parallel.forEach(batch.size() * heads, task -> {
            int seq = task / heads, h = task % heads, off = batch.offset(seq), len = batch.length(seq);
            FloatTensor qh = head(q, off, len, h), kh = head(kk, off, len, h), vh = head(v, off, len, h);   // rotated in place
            FloatTensor out = head(ctx, off, len, h);
            rotary.rotate(qh);
            rotary.rotate(kh);
            if (record == null) {
                k.attention(qh, kh, vh, mask.isCausal(), halfWindow, mask.validKeys(), scale, out);  // tiled, no (len, len) matrix
            } else {
                FloatTensor a = probs != null ? probs[seq].row(h) : FloatTensor.zeros(len, len);
                k.matmulTransposed(qh, kh, a);
                k.scale(a, scale);
                if (scores != null) copy(a, scores[seq].row(h));
                if (halfWindow >= 0) outsideWindow(a);
                mask.apply(a);
                k.softmaxRows(a);
                k.matmul(a, vh, out);
            }
        });
        k.add(residual, wo.forwardInto(k, ctx, s.attn(t)));       // x is read: attn is free (a separate add keeps transformers' rounding)
    }

    private void outsideWindow(FloatTensor a) {
        float[] d = a.data();
        for (int i = 0; i < a.dim(0); i++) {
            int r = a.rowOffset(i);
            for (int j = 0; j < a.dim(1); j++) if (Math.abs(i - j) > halfWindow) d[r + j] = Float.NEGATIVE_INFINITY;
        }
    }

    // ---- training ------------------------------------------------------------------------------------------

    /**
     * The training forward: Q | K | V ← Wqkv(x) into {@code a.qkv}, Q and K rotated there in place, each head's context
     * into {@code a.ctx} (probabilities dropped by {@code a.probsDrop}'s child per sequence and head; the row
     * log-sum-exps saved for the backward); returns Wo(ctx), a new (T, hidden) tensor.
     */
    FloatTensor forwardTraining(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, ModernBertLayerActivations a) {
        int hidden = x.dim(1), t = x.dim(0);
        a.mask = mask;
        wqkv.forwardInto(k, x, a.qkv);                                                  // (T, 3·hidden)
        FloatTensor q = a.qkv.columns(0, hidden), kk = a.qkv.columns(hidden, hidden), v = a.qkv.columns(2 * hidden, hidden);
        Parallel.forEach(batch.size() * heads, task -> {
            int s = task / heads, h = task % heads, off = batch.offset(s), len = batch.length(s);
            FloatTensor qh = head(q, off, len, h), kh = head(kk, off, len, h), vh = head(v, off, len, h), out = head(a.ctx, off, len, h);
            rotary.rotate(qh);
            rotary.rotate(kh);
            DropoutMask drop = a.probsDrop.child(task);
            k.attentionTraining(qh, kh, vh, mask.isCausal(), halfWindow, mask.validKeys(), scale, drop, out, a.lse, h * t + off);
        });
        return wo.forward(k, a.ctx);
    }

    /**
     * Backward from {@code dOut} (T, hidden) at Wo's output → the gradient at the attention's input x (T, hidden), a new
     * tensor; Wqkv's and Wo's gradients under {@code g} (this module's scope).
     *
     * @param x the forward's input (T, hidden)
     */
    FloatTensor backward(Kernels k, FloatTensor x, Batch batch, ModernBertLayerActivations a, FloatTensor dOut, Gradients g) {
        int hidden = x.dim(1), t = x.dim(0);
        FloatTensor dctx = FloatTensor.zeros(t, hidden), dqkv = FloatTensor.zeros(t, 3 * hidden);
        wo.backward(k, a.ctx, dOut, dctx, false, g.prefix("Wo"));
        FloatTensor q = a.qkv.columns(0, hidden), kk = a.qkv.columns(hidden, hidden), v = a.qkv.columns(2 * hidden, hidden);
        FloatTensor dq = dqkv.columns(0, hidden), dk = dqkv.columns(hidden, hidden), dv = dqkv.columns(2 * hidden, hidden);
        AttentionMask mask = a.mask;
        Parallel.forEach(batch.size() * heads, task -> {
            int s = task / heads, h = task % heads, off = batch.offset(s), len = batch.length(s);
            FloatTensor qh = head(q, off, len, h), kh = head(kk, off, len, h), vh = head(v, off, len, h);
            FloatTensor dqh = head(dq, off, len, h), dkh = head(dk, off, len, h), dvh = head(dv, off, len, h), dO = head(dctx, off, len, h);
            DropoutMask drop = a.probsDrop.child(task);
            k.attentionBackward(qh, kh, vh, mask.isCausal(), halfWindow, mask.validKeys(), scale, drop, head(a.ctx, off, len, h), a.lse,
                    h * t + off, dO, dqh, dkh, dvh);
            rotary.rotateBack(dqh);                                                     // to the gradient at Wqkv's output
            rotary.rotateBack(dkh);
        });
        FloatTensor dx = FloatTensor.zeros(t, hidden);
        wqkv.backward(k, x, dqkv, dx, false, g.prefix("Wqkv"));
        return dx;
    }

    void parameters(Parameters p) {
        wqkv.parameters(p.prefix("Wqkv"));
        wo.parameters(p.prefix("Wo"));
    }

    private FloatTensor head(FloatTensor t, int off, int len, int h) {
        return t.slice(off, len).columns(h * headSize, headSize);
    }

    private static void copy(FloatTensor from, FloatTensor to) {
        for (int i = 0; i < from.dim(0); i++) System.arraycopy(from.data(), from.rowOffset(i), to.data(), to.rowOffset(i), from.dim(1));
    }
}
