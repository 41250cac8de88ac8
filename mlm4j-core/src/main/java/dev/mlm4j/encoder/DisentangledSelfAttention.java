package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DebertaV2Config;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.DropoutMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.kernels.ThreadBuffer;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
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
    private static final String[] NAMES = {"query_proj", "key_proj", "value_proj"};
    private final Linear qkv;         // hidden → 3·hidden: query_proj | key_proj | value_proj
    private final Linear posKeyProj;  // c2p without share_att_key; else null
    private final Linear posQueryProj; // p2c without share_att_key; else null
    private final DebertaV2Config config;
    private final int heads, headSize;
    private final float scale;

    public DisentangledSelfAttention(Weights w, DebertaV2Config c, Precision precision) {
        this.config = c;
        int h = c.hiddenSize();
        this.qkv = Linear.fused(precision, h, new int[] {h, h, h}, w.prefix(NAMES[0]), w.prefix(NAMES[1]), w.prefix(NAMES[2]));
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
     * The relative embeddings' projections: K^r (c2p) and Q^r (p2c), each (2·span, hidden) or null without that term,
     * and each transposed, (hidden, 2·span): head h's rows of a transpose are the right-hand side of its c2p or p2c
     * product, which then runs on the row-broadcasting {@link Kernels#matmul} rather than a dot product per score.
     */
    record Positions(FloatTensor key, FloatTensor query, FloatTensor keyT, FloatTensor queryT) {
        Positions(FloatTensor key, FloatTensor query) {
            this(key, query, transpose(key), transpose(query));
        }
    }

    /** A contiguous (cols, rows) copy of x (rows, cols), or null for null. */
    static FloatTensor transpose(FloatTensor x) {
        return x == null ? null : transpose(x, FloatTensor.zeros(x.dim(1), x.dim(0)));
    }

    /** t (cols, rows, contiguous) ← xᵀ for x (rows, cols); returns t. */
    private static FloatTensor transpose(FloatTensor x, FloatTensor t) {
        int rows = x.dim(0), cols = x.dim(1);
        float[] d = x.data(), td = t.data();
        for (int i = 0; i < rows; i++) {
            int r = x.rowOffset(i);
            for (int c = 0; c < cols; c++) td[c * rows + i] = d[r + c];
        }
        return t;
    }

    /**
     * K^r = rel W_K^r + b and Q^r = rel W_Q^r + b for {@code rel} (2·span, hidden): with {@code share_att_key} key_proj's
     * and query_proj's own layers (one GEMM over the fused projection's query | key panels), else pos_key_proj and pos_query_proj.
     */
    Positions positions(Kernels k, FloatTensor rel) {
        int hidden = rel.dim(1);
        FloatTensor shared = config.shareAttKey() ? qkv.forwardLeading(k, rel, 2 * hidden) : null;  // (rows, 2·hidden): Q | K, not V
        FloatTensor key = null, query = null;
        if (config.c2p()) key = shared != null ? shared.columns(hidden, hidden) : posKeyProj.forward(k, rel);
        if (config.p2c()) query = shared != null ? shared.columns(0, hidden) : posQueryProj.forward(k, rel);
        return new Positions(key, query);
    }

    /**
     * {@link #positions} of only the rows of {@code rel} that {@code relRows} (a batch's distances) reach — 255 of
     * v3-base's 512 for 128 tokens: the projections of all of them cost as much as the rest of a layer on one such
     * sequence — widened to a multiple of 32 rows within rel; {@code relRows} is shifted to count from the first of them.
     */
    private Positions reachedPositions(Kernels k, FloatTensor rel, int[] relRows) {
        Rows r = Rows.widened(relRows[0], relRows[relRows.length - 1], rel.dim(0));
        for (int i = 0; i < relRows.length; i++) relRows[i] -= r.first();
        return positions(k, rel.slice(r.first(), r.count()));
    }

    /**
     * x (T, hidden), a packed batch; {@code rel} the encoder's relative embeddings (2·span, hidden), already normalised
     * (null without relative attention) → the context vectors, heads concatenated, in {@code s}'s ctx (returned);
     * Q | K | V in its qkv.
     */
    FloatTensor forward(Kernels k, FloatTensor x, FloatTensor rel, Batch batch, AttentionMask mask, LayerState s, ForwardCapture capture) {
        int hidden = x.dim(1), t = x.dim(0);
        FloatTensor qkvOut = qkv.forwardInto(k, x, s.qkv(t)), ctx = s.ctx(t);
        FloatTensor q = qkvOut.columns(0, hidden), kk = qkvOut.columns(hidden, hidden), v = qkvOut.columns(2 * hidden, hidden);
        int longest = batch.maxLength();
        int[] relRows = rel != null ? relativeRows(longest) : null;
        Positions pos = rel != null ? reachedPositions(k, rel, relRows) : null;
        ForwardCapture.LayerAttention record = capture.attention(batch, heads);
        FloatTensor[] probs = record == null ? null : record.probabilities(), scores = record == null ? null : record.scores();
        Parallel.forEach(batch.size() * heads, task -> {
            int seq = task / heads, h = task % heads, off = batch.offset(seq), len = batch.length(seq);
            FloatTensor a = probs != null ? probs[seq].row(h) : scratch(PROBABILITIES, len, len);
            probabilities(k, head(q, off, len, h), head(kk, off, len, h), pos, h, relRows, longest, mask, a, scores != null ? scores[seq].row(h) : null);
            k.matmul(a, head(v, off, len, h), head(ctx, off, len, h));              // h = A V
        });
        return ctx;
    }

    /**
     * a (len, len) ← softmax(mask(S)) for one head h of one sequence, S the disentangled scores of the class comment;
     * S before the mask is copied to {@code scores} when given. The one computation of the probabilities: the training
     * backward recomputes them with it rather than keeping a (len, len) matrix per head.
     */
    private void probabilities(Kernels k, FloatTensor qh, FloatTensor kh, Positions pos, int h, int[] relRows, int longest,
                               AttentionMask mask, FloatTensor a, FloatTensor scores) {
        int len = qh.dim(0);
        k.matmul(qh, transpose(kh, scratch(KEYS_T, kh.dim(1), len)), a);           // Q Kᵀ
        FloatTensor pk = pos == null ? null : pos.keyT(), pq = pos == null ? null : pos.queryT();
        if (pk != null || pq != null) {
            // only the rows of K^r and Q^r that this sequence's distances reach, δ(0, len − 1) to δ(len − 1, 0), widened
            // so the products' columns are whole vector pairs (no scalar tail)
            Rows reach = Rows.widened(relRows[longest - len], relRows[longest + len - 2], pk != null ? pk.dim(1) : pq.dim(1));
            int lo = reach.first(), rows = reach.count();
            FloatTensor c2p = null, p2c = null;                                       // (len, rows): Q K^rᵀ and K Q^rᵀ
            if (pk != null) k.matmul(qh, pk.slice(h * headSize, headSize).columns(lo, rows), c2p = scratch(C2P, len, rows));
            if (pq != null) k.matmul(kh, pq.slice(h * headSize, headSize).columns(lo, rows), p2c = scratch(P2C, len, rows));
            float[] ad = a.data(), cd = c2p == null ? null : c2p.data(), pd = p2c == null ? null : p2c.data();
            for (int i = 0; i < len; i++) {
                int ar = a.rowOffset(i), at = i + longest - 1, ci = i * rows;
                for (int j = 0; j < len; j++) {
                    int r = relRows[at - j] - lo;
                    float bias = 0;
                    if (cd != null) bias += cd[ci + r] / scale;
                    if (pd != null) bias += pd[j * rows + r] / scale;
                    ad[ar + j] = ad[ar + j] / scale + bias;
                }
            }
        } else {
            k.scale(a, 1f / scale);
        }
        if (scores != null) copy(a, scores);
        mask.apply(a);
        k.softmaxRows(a);
    }

    /**
     * Each worker thread's buffers for a head's scores: the inference forward's heads use them instead of allocating a
     * (len, len) matrix, K transposed and the c2p and p2c products per head (under the launcher's 16 MB young generation
     * that garbage meant a collection every few heads). The training path, whose probabilities outlive a call,
     * allocates its own matrix.
     */
    private static final ThreadBuffer PROBABILITIES = new ThreadBuffer(), KEYS_T = new ThreadBuffer(), C2P = new ThreadBuffer(),
            P2C = new ThreadBuffer();

    /** A (rows, cols) tensor on the calling thread's buffer {@code b}, valid until the thread's next use of it. */
    private static FloatTensor scratch(ThreadBuffer b, int rows, int cols) {
        return FloatTensor.wrapPrefix(b.get(rows * cols), rows, cols);
    }

    /**
     * Rows [lo, hi] of a table of {@code limit} rows widened to a multiple of 32 (whole vector pairs for the products
     * that read them as columns) and moved down where they would pass the end: the first row and the count.
     */
    private record Rows(int first, int count) {
        static Rows widened(int lo, int hi, int limit) {
            int count = Math.min(limit, (hi - lo + 32) / 32 * 32);
            return new Rows(Math.min(lo, limit - count), count);
        }
    }

    // ---- training ------------------------------------------------------------------------------------------

    /**
     * The training forward: as {@link #forward} with the dropout mask {@code a.probsDrop} on the probabilities (one child
     * mask per sequence and head, as BERT's), the relative projections {@code pos} computed by the caller (from the
     * layer's dropped-out relative embeddings; null without relative attention), Q | K | V saved in {@code a.qkv};
     * returns the context {@code a.ctx} (T, hidden). The probabilities are not saved: the backward recomputes them.
     */
    FloatTensor forwardTraining(Kernels k, FloatTensor x, Positions pos, Batch batch, AttentionMask mask, LayerActivations a) {
        int hidden = x.dim(1);
        a.mask = mask;
        qkv.forwardInto(k, x, a.qkv);                                                   // (T, 3·hidden)
        FloatTensor q = a.qkv.columns(0, hidden), kk = a.qkv.columns(hidden, hidden), v = a.qkv.columns(2 * hidden, hidden);
        int longest = batch.maxLength();
        int[] relRows = pos != null ? relativeRows(longest) : null;
        Parallel.forEach(batch.size() * heads, task -> {
            int s = task / heads, h = task % heads, off = batch.offset(s), len = batch.length(s);
            FloatTensor p = FloatTensor.zeros(len, len);
            probabilities(k, head(q, off, len, h), head(kk, off, len, h), pos, h, relRows, longest, mask, p, null);
            a.probsDrop.child(task).apply(p);                                           // Z ⊙ A
            k.matmul(p, head(v, off, len, h), head(a.ctx, off, len, h));
        });
        return a.ctx;
    }

    /**
     * Backward: {@code dctx} (T, hidden) at the merged heads → {@code dx} (T, hidden) {@code +=} dQKV · W_qkv and
     * {@code drel} (2·span, hidden) {@code +=} the gradient at the relative embeddings the projections read ({@code relIn},
     * after this layer's dropout); the gradients of query_proj, key_proj, value_proj (and pos_key_proj, pos_query_proj)
     * under {@code g}. Per sequence and head, with P recomputed, Z the dropout mask and σ the scale:
     * <pre>
     *   dV = (Z ⊙ P)ᵀ dO     dP = Z ⊙ (dO Vᵀ)     dS = P ⊙ (dP − rowsum(P ⊙ dP)) / σ
     *   dQ = dS K + G_c K^r     dK = dSᵀ Q + G_p Q^r     dK^r += G_cᵀ Q     dQ^r += G_pᵀ K
     * </pre>
     * where G_c[i][δ(i, j)] and G_p[j][δ(i, j)] sum dS[i][j] (the adjoints of c2p's and p2c's gathers).
     */
    void backward(Kernels k, FloatTensor x, Positions pos, FloatTensor relIn, Batch batch, LayerActivations a, FloatTensor dctx,
                  FloatTensor dx, FloatTensor drel, Gradients g) {
        int hidden = x.dim(1), rows = 2 * config.attentionSpan();
        FloatTensor dqkv = Parallel.zeroed(a.grads.dqkv);                        // (T, 3·hidden)
        FloatTensor q = a.qkv.columns(0, hidden), kk = a.qkv.columns(hidden, hidden), v = a.qkv.columns(2 * hidden, hidden);
        FloatTensor dq = dqkv.columns(0, hidden), dk = dqkv.columns(hidden, hidden), dv = dqkv.columns(2 * hidden, hidden);
        FloatTensor dPosKey = pos != null && pos.key() != null ? FloatTensor.zeros(rows, hidden) : null;     // (2·span, hidden)
        FloatTensor dPosQuery = pos != null && pos.query() != null ? FloatTensor.zeros(rows, hidden) : null;
        int longest = batch.maxLength();
        int[] relRows = pos != null ? relativeRows(longest) : null;
        AttentionMask mask = a.mask;
        // one task per head: its sequences in turn, as each adds into the head's columns of dK^r and dQ^r
        Parallel.forEach(heads, h -> {
            for (int s = 0; s < batch.size(); s++) {
                int off = batch.offset(s), len = batch.length(s);
                FloatTensor qh = head(q, off, len, h), kh = head(kk, off, len, h), vh = head(v, off, len, h);
                FloatTensor dqh = head(dq, off, len, h), dkh = head(dk, off, len, h), dout = head(dctx, off, len, h);
                FloatTensor p = FloatTensor.zeros(len, len);
                probabilities(k, qh, kh, pos, h, relRows, longest, mask, p, null);
                DropoutMask z = a.probsDrop.child((long) s * heads + h);
                FloatTensor zp = z.isNone() ? p : p.copy();
                z.apply(zp);
                k.linearWeightGrad(dout, zp, head(dv, off, len, h), null);           // dV += (Z ⊙ P)ᵀ dO
                FloatTensor ds = FloatTensor.zeros(len, len);
                k.matmulTransposed(dout, vh, ds);                                       // dO Vᵀ
                z.apply(ds);                                                            // dP
                float[] pd = p.data(), d = ds.data();
                for (int i = 0; i < len; i++) {
                    int r = i * len;
                    double dot = 0;
                    for (int j = 0; j < len; j++) dot += (double) pd[r + j] * d[r + j];
                    for (int j = 0; j < len; j++) d[r + j] = (float) (pd[r + j] * (d[r + j] - dot) / scale);
                }
                FloatTensor tmp = FloatTensor.zeros(len, headSize);
                k.matmul(ds, kh, tmp);
                k.add(dqh, tmp);                                                        // dQ += dS K
                k.linearWeightGrad(qh, ds, dkh, null);                                  // dK += dSᵀ Q
                if (dPosKey != null) {                                                  // c2p: S[i][j] reads K^r row δ(i, j) with Q_i
                    relativeBackward(k, ds, relRows, longest, true, qh, pos.key().columns(h * headSize, headSize), dqh,
                            dPosKey.columns(h * headSize, headSize), tmp);
                }
                if (dPosQuery != null) {                                                // p2c: S[i][j] reads Q^r row δ(i, j) with K_j
                    relativeBackward(k, ds, relRows, longest, false, kh, pos.query().columns(h * headSize, headSize), dkh,
                            dPosQuery.columns(h * headSize, headSize), tmp);
                }
            }
        });
        BertSelfAttention.intoFused(k, a.grads, NAMES, g, (dw, db) -> {
            qkv.backward(k, x, dqkv, dx, true, dw, db);
            if (pos != null && config.shareAttKey()) {                                  // the same layers projected rel: their gradients add
                FloatTensor dpos = FloatTensor.zeros(rows, 3 * hidden);
                if (dPosQuery != null) LayerActivations.copy(dPosQuery, dpos.columns(0, hidden));
                if (dPosKey != null) LayerActivations.copy(dPosKey, dpos.columns(hidden, hidden));
                qkv.backward(k, relIn, dpos, drel, true, dw, db);
            }
        });
        if (pos != null && !config.shareAttKey()) {
            if (dPosKey != null) posKeyProj.backward(k, relIn, dPosKey, drel, true, g.prefix("pos_key_proj"));
            if (dPosQuery != null) posQueryProj.backward(k, relIn, dPosQuery, drel, true, g.prefix("pos_query_proj"));
        }
    }

    /**
     * One relative term's backward for one head of one sequence: G (len, 2·span) gathers dS (len, len), G[i][δ(i, j)]
     * += dS[i][j] for c2p ({@code byQuery}: the row is the query's) or G[j][δ(i, j)] += dS[i][j] for p2c (the key's);
     * then {@code dx += G · pos} (dQ with K^r, dK with Q^r) and {@code dpos += Gᵀ · x} (dK^r with Q, dQ^r with K).
     */
    private void relativeBackward(Kernels k, FloatTensor ds, int[] relRows, int longest, boolean byQuery, FloatTensor x, FloatTensor pos,
                                  FloatTensor dx, FloatTensor dpos, FloatTensor tmp) {
        int len = ds.dim(0), rows = pos.dim(0);
        FloatTensor g = FloatTensor.zeros(len, rows);
        float[] gd = g.data(), d = ds.data();
        for (int i = 0; i < len; i++) {
            for (int j = 0; j < len; j++) gd[(byQuery ? i : j) * rows + relRows[i - j + longest - 1]] += d[i * len + j];
        }
        k.matmul(g, pos, tmp);
        k.add(dx, tmp);
        k.linearWeightGrad(x, g, dpos, null);
    }

    void parameters(Parameters p) {
        qkv.parameters(p.prefix(NAMES[0]), p.prefix(NAMES[1]), p.prefix(NAMES[2]));
        if (posKeyProj != null) posKeyProj.parameters(p.prefix("pos_key_proj"));
        if (posQueryProj != null) posQueryProj.parameters(p.prefix("pos_query_proj"));
    }

    private FloatTensor head(FloatTensor t, int off, int len, int h) {
        return t.slice(off, len).columns(h * headSize, headSize);
    }

    private static void copy(FloatTensor from, FloatTensor to) {
        for (int i = 0; i < from.dim(0); i++) System.arraycopy(from.data(), from.rowOffset(i), to.data(), to.rowOffset(i), from.dim(1));
    }
}
