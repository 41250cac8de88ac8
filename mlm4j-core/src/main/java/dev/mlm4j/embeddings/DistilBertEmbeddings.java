package dev.mlm4j.embeddings;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DistilBertConfig;
import dev.mlm4j.kernels.DropoutMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

/**
 * transformers' DistilBERT {@code Embeddings}: {@code LayerNorm(word_embeddings[id] + position_embeddings[pos])}, keys
 * {@code {word_embeddings,position_embeddings,LayerNorm}}; no token types (a batch's type ids are ignored). Dropout
 * ({@code config.dropout}) after the LayerNorm in training.
 */
public final class DistilBertEmbeddings {
    private final FloatTensor wordEmbeddings;      // (vocab, dim); also the tied vocab_projector
    private final FloatTensor positionEmbeddings;  // (max_position, dim)
    private final LayerNorm layerNorm;
    private final DistilBertConfig config;

    public DistilBertEmbeddings(Weights w, DistilBertConfig c) {
        this.config = c;
        this.wordEmbeddings = w.prefix("word_embeddings").tensor("weight", c.vocabSize(), c.dim());
        this.positionEmbeddings = w.prefix("position_embeddings").tensor("weight", c.maxPositionEmbeddings(), c.dim());
        this.layerNorm = LayerNorm.load(w.prefix("LayerNorm"), c.dim(), DistilBertConfig.LAYER_NORM_EPS);
    }

    public FloatTensor wordEmbeddings() {
        return wordEmbeddings;
    }

    /** The packed batch's embeddings (T, dim). */
    public FloatTensor forward(Kernels k, Batch batch) {
        FloatTensor x = FloatTensor.zeros(batch.tokens(), config.dim());
        sum(batch, x);
        layerNorm.forward(k, x);
        return x;
    }

    /** x (T, dim) ← word + position, per packed row (positions from 0 in each sequence). */
    private void sum(Batch batch, FloatTensor x) {
        int t = batch.tokens(), h = config.dim();
        int[] ids = batch.ids(), pos = batch.positions();
        float[] xd = x.data(), wd = wordEmbeddings.data(), pd = positionEmbeddings.data();
        for (int i = 0; i < t; i++) {
            check(ids[i], config.vocabSize(), "token id");
            check(pos[i], config.maxPositionEmbeddings(), "position (sequence longer than max_position_embeddings)");
            int wo = wordEmbeddings.rowOffset(ids[i]), po = positionEmbeddings.rowOffset(pos[i]), r = x.rowOffset(i);
            for (int j = 0; j < h; j++) xd[r + j] = wd[wo + j] + pd[po + j];
        }
    }

    /** The training forward: {@code sum} (T, dim) ← word + position (saved), y ← dropout(LayerNorm(sum)); returns y. */
    public FloatTensor forwardTraining(Kernels k, Batch batch, DropoutMask drop, FloatTensor sum, FloatTensor y) {
        sum(batch, sum);
        for (int r = 0; r < sum.dim(0); r++) System.arraycopy(sum.data(), sum.rowOffset(r), y.data(), y.rowOffset(r), sum.dim(1));
        layerNorm.forward(k, y);
        drop.apply(y);
        return y;
    }

    /**
     * Backward: dy (T, dim) at the output (the caller's scratch, overwritten) → the LayerNorm's gradients, then each row's
     * gradient added into the word and position rows it was read from, under {@code g} (this module's scope); not the
     * word table's {@code pad_token_id} row, which transformers' {@code padding_idx} keeps fixed.
     */
    public void backward(Kernels k, Batch batch, FloatTensor sum, DropoutMask drop, FloatTensor dy, Gradients g) {
        int t = batch.tokens(), h = config.dim();
        FloatTensor dsum = FloatTensor.zeros(t, h);
        drop.apply(dy);
        layerNorm.backward(k, sum, dy, dsum, g.prefix("LayerNorm"));
        FloatTensor dw = g.prefix("word_embeddings").tensor("weight", config.vocabSize(), h);
        FloatTensor dp = g.prefix("position_embeddings").tensor("weight", config.maxPositionEmbeddings(), h);
        int[] ids = batch.ids(), pos = batch.positions();
        float[] d = dsum.data();
        for (int i = 0; i < t; i++) {
            boolean word = ids[i] != config.padTokenId();
            int wo = dw.rowOffset(ids[i]), po = dp.rowOffset(pos[i]);
            for (int j = 0; j < h; j++) {
                float v = d[i * h + j];
                if (word) dw.data()[wo + j] += v;
                dp.data()[po + j] += v;
            }
        }
    }

    /** Registers the two tables and the LayerNorm under {@code p} (this module's scope), the forward's own tensors. */
    public void parameters(Parameters p) {
        p.prefix("word_embeddings").add("weight", wordEmbeddings);
        p.prefix("position_embeddings").add("weight", positionEmbeddings);
        layerNorm.parameters(p.prefix("LayerNorm"));
    }

    private static void check(int v, int bound, String what) {
        if (v < 0 || v >= bound) throw new IllegalArgumentException(what + " " + v + " is outside [0, " + bound + ")");
    }
}
