package dev.mlm4j.embeddings;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DistilBertConfig;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * transformers' DistilBERT {@code Embeddings}: {@code LayerNorm(word_embeddings[id] + position_embeddings[pos])}, keys
 * {@code {word_embeddings,position_embeddings,LayerNorm}}; no token types (a batch's type ids are ignored).
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
        int t = batch.tokens(), h = config.dim();
        FloatTensor x = FloatTensor.zeros(t, h);
        int[] ids = batch.ids(), pos = batch.positions();
        float[] xd = x.data(), wd = wordEmbeddings.data(), pd = positionEmbeddings.data();
        for (int i = 0; i < t; i++) {
            check(ids[i], config.vocabSize(), "token id");
            check(pos[i], config.maxPositionEmbeddings(), "position (sequence longer than max_position_embeddings)");
            int wo = wordEmbeddings.rowOffset(ids[i]), po = positionEmbeddings.rowOffset(pos[i]);
            for (int j = 0; j < h; j++) xd[i * h + j] = wd[wo + j] + pd[po + j];
        }
        layerNorm.forward(k, x);
        return x;
    }

    private static void check(int v, int bound, String what) {
        if (v < 0 || v >= bound) throw new IllegalArgumentException(what + " " + v + " is outside [0, " + bound + ")");
    }
}
