package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DebertaV2Config;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * transformers' DeBERTa-v2 {@code DisentangledSelfAttention}: keys {@code {query_proj,key_proj,value_proj}} and, without
 * {@code share_att_key}, {@code pos_key_proj} (c2p) and {@code pos_query_proj} (p2c). Per sequence and head, with
 * δ(i, j) = clamp(bucket(i − j) + span, 0, 2·span − 1) the row of the relative embeddings R for query i and key j,
 * <pre>
 *   S[i][j] = ( Q_i·K_j  +  Q_i·K^r_δ(i,j)  +  K_j·Q^r_δ(i,j) ) / √(d · scale_factor)
 *              content      c2p                p2c
 *   A = softmax(mask(S)),  h = A V
 * </pre>
 * where K^r = R W_K^r (pos_key_proj, or key_proj when shared), Q^r = R W_Q^r (pos_query_proj, or query_proj), and
 * scale_factor = 1 + one per term present. A (the probabilities after the disentangled scores) is what
 * {@link ForwardCapture} records, so the attention explorer shows DeBERTa's own matrix; S before the mask is its scores.
 */
public final class DisentangledSelfAttention {
    private final Linear qkv;         // hidden → 3·hidden: query_proj | key_proj | value_proj
    private final Linear posKeyProj;  // c2p without share_att_key; else null
    private final Linear posQueryProj; // p2c without share_att_key; else null
    private final DebertaV2Config config;
    private final int heads, headSize;
    private final float scale;

    public DisentangledSelfAttention(Weights w, DebertaV2Config c, Precision precision) {
        this.config = c;
        int h = c.hiddenSize();
        this.qkv = Linear.fused(precision, h, new int[] {h, h, h}, w.prefix("query_proj"), w.prefix("key_proj"), w.prefix("value_proj"));
        boolean own = c.relativeAttention() && !c.shareAttKey();
        this.posKeyProj = own && c.c2p() ? Linear.load(w.prefix("pos_key_proj"), h, h, precision) : null;
        this.posQueryProj = own && c.p2c() ? Linear.load(w.prefix("pos_query_proj"), h, h, precision) : null;
        this.heads = c.numAttentionHeads();
        this.headSize = c.headSize();
        this.scale = (float) Math.sqrt((float) headSize * c.scaleFactor()); // torch.sqrt(tensor(d, float) * scale_factor)
    }

    /**
     * transformers' {@code make_log_bucket_position} for one relative position q − k, in float32 as torch computes it:
     * distances below {@code bucketSize/2} keep their value, longer ones share logarithmic buckets up to
     * {@code maxPosition}; without buckets ({@code bucketSize} or {@code maxPosition} ≤ 0) the distance itself.
     */
    public static int bucket(int relative, int bucketSize, int maxPosition) {
        if (bucketSize <= 0 || maxPosition <= 0) return relative;
        int mid = bucketSize / 2;
        int abs = relative < mid && relative > -mid ? mid - 1 : Math.abs(relative);
        if (abs <= mid) return relative;
        float ratio = (float) Math.log((float) abs / mid);
        float denominator = (float) Math.log((float) ((maxPosition - 1) / (double) mid));
        float logPos = (float) Math.ceil(ratio / denominator * (mid - 1)) + mid;
        return (int) (logPos * Integer.signum(relative));
    }

    /**
     * The row of the relative embeddings for every query − key distance up to {@code len} − 1, at index
     * (i − j) + len − 1: clamp(bucket(i − j) + span, 0, 2·span − 1). Computed once per forward, not per score.
     */
    private int[] relativeRows(int len) {
        int span = config.attentionSpan();
        int[] rows = new int[2 * len - 1];
        for (int d = -(len - 1); d < len; d++) {
            int r = bucket(d, config.positionBuckets(), config.relativeReach()) + span;
            rows[d + len - 1] = Math.max(0, Math.min(2 * span - 1, r));
        }
        return rows;
    }

    /**
     * x (T, hidden), a packed batch; {@code rel} the encoder's relative embeddings (2·span, hidden), already normalised
     * (null without relative attention) → the context vectors, heads concatenated, in a new (T, hidden) tensor.
     */
    FloatTensor forward(Kernels k, FloatTensor x, FloatTensor rel, Batch batch, AttentionMask mask, ForwardCapture capture) {
        int hidden = x.dim(1), t = x.dim(0);
        FloatTensor qkvOut = qkv.forward(k, x), ctx = FloatTensor.zeros(t, hidden);
        FloatTensor q = qkvOut.columns(0, hidden), kk = qkvOut.columns(hidden, hidden), v = qkvOut.columns(2 * hidden, hidden);
        FloatTensor posKey = null, posQuery = null;               // (2·span, hidden)
        if (rel != null) {
            FloatTensor shared = config.shareAttKey() ? qkv.forward(k, rel) : null;
            if (config.c2p()) posKey = shared != null ? shared.columns(hidden, hidden) : posKeyProj.forward(k, rel);
            if (config.p2c()) posQuery = shared != null ? shared.columns(0, hidden) : posQueryProj.forward(k, rel);
        }
        FloatTensor pk = posKey, pq = posQuery;
        int longest = batch.maxLength();
        int[] relRows = rel != null ? relativeRows(longest) : null;
        ForwardCapture.LayerAttention record = capture.attention(batch, heads);
        FloatTensor[] probs = record == null ? null : record.probabilities(), scores = record == null ? null : record.scores();
        Parallel.forEach(batch.size() * heads, task -> {
            int s = task / heads, h = task % heads, off = batch.offset(s), len = batch.length(s);
            FloatTensor qh = head(q, off, len, h), kh = head(kk, off, len, h), vh = head(v, off, len, h);
            FloatTensor a = probs != null ? probs[s].row(h) : FloatTensor.zeros(len, len);
            k.matmulTransposed(qh, kh, a);                                           // Q Kᵀ
            if (pk != null || pq != null) {
                int rows = 2 * config.attentionSpan();
                FloatTensor c2p = null, p2c = null;
                if (pk != null) k.matmulTransposed(qh, pk.columns(h * headSize, headSize), c2p = FloatTensor.zeros(len, rows));
                if (pq != null) k.matmulTransposed(kh, pq.columns(h * headSize, headSize), p2c = FloatTensor.zeros(len, rows));
                float[] ad = a.data();
                for (int i = 0; i < len; i++) {
                    int ar = a.rowOffset(i);
                    for (int j = 0; j < len; j++) {
                        int r = relRows[i - j + longest - 1];
                        float bias = 0;
                        if (c2p != null) bias += c2p.at(i, r) / scale;
                        if (p2c != null) bias += p2c.at(j, r) / scale;
                        ad[ar + j] = ad[ar + j] / scale + bias;
                    }
                }
            } else {
                k.scale(a, 1f / scale);
            }
            if (scores != null) copy(a, scores[s].row(h));
            mask.apply(a);
            k.softmaxRows(a);
            k.matmul(a, vh, head(ctx, off, len, h));                                  // h = A V
        });
        return ctx;
    }

    private FloatTensor head(FloatTensor t, int off, int len, int h) {
        return t.slice(off, len).columns(h * headSize, headSize);
    }

    private static void copy(FloatTensor from, FloatTensor to) {
        for (int i = 0; i < from.dim(0); i++) System.arraycopy(from.data(), from.rowOffset(i), to.data(), to.rowOffset(i), from.dim(1));
    }
}
