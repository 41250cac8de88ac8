package dev.mlm4j.embeddings;

import dev.mlm4j.kernels.DropoutMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

/**
 * Token ids → vectors: LayerNorm(word + position + token type). Mirrors transformers' {@code BertEmbeddings}
 * (modeling_bert.py); dropout is inference-time identity; the training forward applies it ({@link dev.mlm4j.layers.Dropout}). Keys: {@code bert.embeddings.*}.
 */
public final class BertEmbeddings {
    private final FloatTensor wordEmbeddings;      // (vocab, hidden); also the tied MLM decoder
    private final FloatTensor positionEmbeddings;  // (max_position, hidden)
    private final FloatTensor tokenTypeEmbeddings; // (type_vocab, hidden)
    private final LayerNorm layerNorm;
    private final BertConfig config;
    private final int positionPadding;             // RoBERTa's padding position (its table's padding_idx), or -1

    public BertEmbeddings(Weights w, BertConfig c) {
        this(w, c, -1);
    }

    /**
     * @param positionPadding the position table's {@code padding_idx} (RoBERTa's: its pad token id; BERT's table has
     *                        none: −1): as in transformers, that row never gets a gradient
     */
    public BertEmbeddings(Weights w, BertConfig c, int positionPadding) {
        this.config = c;
        this.positionPadding = positionPadding;
        this.wordEmbeddings = w.prefix("word_embeddings").tensor("weight", c.vocabSize(), c.hiddenSize());
        this.positionEmbeddings = w.prefix("position_embeddings").tensor("weight", c.maxPositionEmbeddings(), c.hiddenSize());
        this.tokenTypeEmbeddings = w.prefix("token_type_embeddings").tensor("weight", c.typeVocabSize(), c.hiddenSize());
        this.layerNorm = LayerNorm.load(w.prefix("LayerNorm"), c.hiddenSize(), c.layerNormEps());
    }

    public FloatTensor wordEmbeddings() {
        return wordEmbeddings;
    }

    /** (T, hidden) for the packed batch; positions restart at 0 for each sequence. */
    public FloatTensor forward(Kernels k, Batch batch) {
        return forward(k, batch, batch.positions());
    }

    /** (T, hidden) for the packed batch, each row at its position in {@code positions} (T): RoBERTa's are not BERT's. */
    public FloatTensor forward(Kernels k, Batch batch, int[] positions) {
        FloatTensor x = FloatTensor.zeros(batch.tokens(), config.hiddenSize());
        sum(batch, positions, x);
        layerNorm.forward(k, x);
        return x;
    }

    /** x (T, hidden) ← word + position + token type, per packed row. */
    private void sum(Batch batch, int[] pos, FloatTensor x) {
        int t = batch.tokens(), h = config.hiddenSize();
        int[] ids = batch.ids(), types = batch.typeIds();
        float[] xd = x.data(), wd = wordEmbeddings.data(), pd = positionEmbeddings.data(), td = tokenTypeEmbeddings.data();
        for (int i = 0; i < t; i++) {
            check(ids[i], config.vocabSize(), "token id");
            check(pos[i], config.maxPositionEmbeddings(), "position (sequence longer than max_position_embeddings)");
            check(types[i], config.typeVocabSize(), "token type id");
            int wo = wordEmbeddings.rowOffset(ids[i]), po = positionEmbeddings.rowOffset(pos[i]), to = tokenTypeEmbeddings.rowOffset(types[i]);
            int r = i * h;
            for (int j = 0; j < h; j++) xd[r + j] = wd[wo + j] + pd[po + j] + td[to + j];
        }
    }

    private static void check(int v, int bound, String what) {
        if (v < 0 || v >= bound) throw new IllegalArgumentException(what + " " + v + " is outside [0, " + bound + ")");
    }

    /** The training forward: {@code sum} (T, hidden) ← word + position + token type (saved), y ← dropout(LayerNorm(sum)); returns y. */
    public FloatTensor forwardTraining(Kernels k, Batch batch, DropoutMask drop, FloatTensor sum, FloatTensor y) {
        return forwardTraining(k, batch, batch.positions(), drop, sum, y);
    }

    /** As {@link #forwardTraining(Kernels, Batch, DropoutMask, FloatTensor, FloatTensor)}, each row at its position in {@code positions} (T). */
    public FloatTensor forwardTraining(Kernels k, Batch batch, int[] positions, DropoutMask drop, FloatTensor sum, FloatTensor y) {
        sum(batch, positions, sum);
        System.arraycopy(sum.data(), sum.offset(), y.data(), y.offset(), sum.size());
        layerNorm.forward(k, y);
        drop.apply(y);
        return y;
    }

    /**
     * Backward: dy (T, hidden) at the output → the LayerNorm's gradients, then each row's gradient added into the row
     * of the word, position and token-type tables it was read from (sparse: only the batch's rows of the tables are
     * touched; not the word table's {@code pad_token_id} row nor RoBERTa's padding position, which transformers'
     * {@code padding_idx} keeps fixed), under {@code g} (this module's scope: {@code word_embeddings.weight}, …).
     */
    public void backward(Kernels k, Batch batch, FloatTensor sum, DropoutMask drop, FloatTensor dy, Gradients g) {
        backward(k, batch, batch.positions(), sum, drop, dy, g);
    }

    /** As {@link #backward(Kernels, Batch, FloatTensor, DropoutMask, FloatTensor, Gradients)} for a forward at {@code positions} (T). */
    public void backward(Kernels k, Batch batch, int[] positions, FloatTensor sum, DropoutMask drop, FloatTensor dy, Gradients g) {
        int t = batch.tokens(), h = config.hiddenSize();
        FloatTensor dsum = FloatTensor.zeros(t, h);
        drop.apply(dy);                                      // through the dropout: dy is the caller's scratch
        layerNorm.backward(k, sum, dy, dsum, g.prefix("LayerNorm"));
        FloatTensor dw = g.prefix("word_embeddings").tensor("weight", config.vocabSize(), h);
        FloatTensor dp = g.prefix("position_embeddings").tensor("weight", config.maxPositionEmbeddings(), h);
        FloatTensor dt = g.prefix("token_type_embeddings").tensor("weight", config.typeVocabSize(), h);
        int[] ids = batch.ids(), types = batch.typeIds(), pos = positions;
        float[] d = dsum.data();
        // the word table's padding_idx row (pad_token_id) and RoBERTa's padding position take no gradient, as
        // nn.Embedding(padding_idx=…) leaves them in transformers
        for (int i = 0; i < t; i++) {
            boolean word = ids[i] != config.padTokenId(), position = pos[i] != positionPadding;
            int wo = dw.rowOffset(ids[i]), po = dp.rowOffset(pos[i]), to = dt.rowOffset(types[i]);
            for (int j = 0; j < h; j++) {
                float v = d[i * h + j];
                if (word) dw.data()[wo + j] += v;
                if (position) dp.data()[po + j] += v;
                dt.data()[to + j] += v;
            }
        }
    }

    /** Registers the three tables and the LayerNorm under {@code p} (this module's scope), the forward's own tensors. */
    public void parameters(Parameters p) {
        p.prefix("word_embeddings").add("weight", wordEmbeddings);
        p.prefix("position_embeddings").add("weight", positionEmbeddings);
        p.prefix("token_type_embeddings").add("weight", tokenTypeEmbeddings);
        layerNorm.parameters(p.prefix("LayerNorm"));
    }
}
