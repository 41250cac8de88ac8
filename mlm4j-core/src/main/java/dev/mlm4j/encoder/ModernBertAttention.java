package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
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
 * mlm4j packs it, so each sequence's positions start at 0 as transformers' right-padded rows do.
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

    /** x (T, hidden), already normalised by the layer → Wo(attention), a new (T, hidden) tensor. */
    FloatTensor forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, ForwardCapture capture) {
        int hidden = x.dim(1), t = x.dim(0);
        FloatTensor qkv = wqkv.forward(k, x), ctx = FloatTensor.zeros(t, hidden);
        FloatTensor q = qkv.columns(0, hidden), kk = qkv.columns(hidden, hidden), v = qkv.columns(2 * hidden, hidden);
        ForwardCapture.LayerAttention record = capture.attention(batch, heads);
        FloatTensor[] probs = record == null ? null : record.probabilities(), scores = record == null ? null : record.scores();
        Parallel.forEach(batch.size() * heads, task -> {
            int s = task / heads, h = task % heads, off = batch.offset(s), len = batch.length(s);
            FloatTensor qh = head(q, off, len, h).copy(), kh = head(kk, off, len, h).copy(), vh = head(v, off, len, h);
            FloatTensor out = head(ctx, off, len, h);
            rotary.rotate(qh);
            rotary.rotate(kh);
            if (record == null && halfWindow < 0) {
                k.attention(qh, kh, vh, mask.isCausal(), mask.validKeys(), scale, out);       // tiled, no (len, len) matrix
            } else if (record == null) {
                band(qh, kh, vh, mask, out);                                                   // only the window's scores
            } else {
                FloatTensor a = probs != null ? probs[s].row(h) : FloatTensor.zeros(len, len);
                k.matmulTransposed(qh, kh, a);
                k.scale(a, scale);
                if (scores != null) copy(a, scores[s].row(h));
                if (halfWindow >= 0) outsideWindow(a);
                mask.apply(a);
                k.softmaxRows(a);
                k.matmul(a, vh, out);
            }
        });
        return wo.forward(k, ctx);
    }

    private void outsideWindow(FloatTensor a) {
        float[] d = a.data();
        for (int i = 0; i < a.dim(0); i++) {
            int r = a.rowOffset(i);
            for (int j = 0; j < a.dim(1); j++) if (Math.abs(i - j) > halfWindow) d[r + j] = Float.NEGATIVE_INFINITY;
        }
    }

    /** A sliding-window head without a (len, len) matrix: each query's scores over its ≤ local_attention + 1 keys. */
    private void band(FloatTensor q, FloatTensor k, FloatTensor v, AttentionMask mask, FloatTensor out) {
        int len = q.dim(0), d = q.dim(1);
        float[] w = new float[2 * halfWindow + 1], od = out.data();
        for (int i = 0; i < len; i++) {
            int j0 = Math.max(0, i - halfWindow), j1 = Math.min(len - 1, i + halfWindow);
            float max = Float.NEGATIVE_INFINITY;
            for (int j = j0; j <= j1; j++) {
                float sc = Float.NEGATIVE_INFINITY;
                if (mask.allows(i, j)) {
                    sc = 0;
                    for (int c = 0; c < d; c++) sc += q.at(i, c) * k.at(j, c);
                    sc *= scale;
                }
                w[j - j0] = sc;
                max = Math.max(max, sc);
            }
            int o = out.rowOffset(i);
            for (int c = 0; c < d; c++) od[o + c] = 0;
            if (max == Float.NEGATIVE_INFINITY) continue;
            float sum = 0;
            for (int j = j0; j <= j1; j++) sum += w[j - j0] = (float) Math.exp(w[j - j0] - max);
            for (int j = j0; j <= j1; j++) {
                float p = w[j - j0] / sum;
                for (int c = 0; c < d; c++) od[o + c] += p * v.at(j, c);
            }
        }
    }

    private FloatTensor head(FloatTensor t, int off, int len, int h) {
        return t.slice(off, len).columns(h * headSize, headSize);
    }

    private static void copy(FloatTensor from, FloatTensor to) {
        for (int i = 0; i < from.dim(0); i++) System.arraycopy(from.data(), from.rowOffset(i), to.data(), to.rowOffset(i), from.dim(1));
    }
}
