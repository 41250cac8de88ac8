package dev.mlm4j.embeddings;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DebertaV2Config;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code DebertaV2Embeddings}: {@code LayerNorm(embed_proj?(word_embeddings[id] + position_embeddings[pos]?
 * + token_type_embeddings[type]?))}, keys {@code {word_embeddings,position_embeddings,token_type_embeddings,embed_proj,LayerNorm}}.
 * Absolute positions only when {@code position_biased_input} (DeBERTa-v3: none, its positions are relative, in the
 * attention); token types only when {@code type_vocab_size} > 0; {@code embed_proj} (no bias) only when
 * {@code embedding_size} differs from {@code hidden_size}. transformers then zeroes padded rows, which mlm4j's packed
 * batch does not have.
 */
public final class DebertaV2Embeddings {
    private final FloatTensor wordEmbeddings;      // (vocab, embedding_size); also the MLM head's tied decoder
    private final FloatTensor positionEmbeddings;  // (max_position, embedding_size) or null
    private final FloatTensor tokenTypeEmbeddings; // (type_vocab, embedding_size) or null
    private final Linear embedProj;                // embedding_size → hidden, no bias; or null
    private final LayerNorm layerNorm;
    private final DebertaV2Config config;

    public DebertaV2Embeddings(Weights w, DebertaV2Config c, Precision precision) {
        this.config = c;
        int e = c.embeddingSize();
        this.wordEmbeddings = w.prefix("word_embeddings").tensor("weight", c.vocabSize(), e);
        this.positionEmbeddings = c.positionBiasedInput() ? w.prefix("position_embeddings").tensor("weight", c.maxPositionEmbeddings(), e) : null;
        this.tokenTypeEmbeddings = c.typeVocabSize() > 0 ? w.prefix("token_type_embeddings").tensor("weight", c.typeVocabSize(), e) : null;
        this.embedProj = e != c.hiddenSize() ? new Linear(w.prefix("embed_proj").tensor("weight", c.hiddenSize(), e), null, precision) : null;
        this.layerNorm = LayerNorm.load(w.prefix("LayerNorm"), c.hiddenSize(), c.layerNormEps());
    }

    public FloatTensor wordEmbeddings() {
        return wordEmbeddings;
    }

    /** The packed batch's embeddings (T, hidden). */
    public FloatTensor forward(Kernels k, Batch batch) {
        int t = batch.tokens(), e = config.embeddingSize();
        FloatTensor x = FloatTensor.zeros(t, e);
        int[] ids = batch.ids(), pos = batch.positions(), types = batch.typeIds();
        float[] xd = x.data();
        for (int i = 0; i < t; i++) {
            add(xd, i * e, wordEmbeddings, ids[i], "token id");
            if (positionEmbeddings != null) add(xd, i * e, positionEmbeddings, pos[i], "position (sequence longer than max_position_embeddings)");
            if (tokenTypeEmbeddings != null) add(xd, i * e, tokenTypeEmbeddings, types[i], "token type id");
        }
        if (embedProj != null) x = embedProj.forward(k, x);
        layerNorm.forward(k, x);
        return x;
    }

    private static void add(float[] x, int at, FloatTensor table, int row, String what) {
        if (row < 0 || row >= table.dim(0)) throw new IllegalArgumentException(what + " " + row + " is outside [0, " + table.dim(0) + ")");
        float[] d = table.data();
        int o = table.rowOffset(row);
        for (int j = 0; j < table.dim(1); j++) x[at + j] += d[o + j];
    }
}
