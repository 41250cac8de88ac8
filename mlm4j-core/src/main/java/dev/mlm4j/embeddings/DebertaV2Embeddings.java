package dev.mlm4j.embeddings;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DebertaV2Config;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.DropoutMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
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

    /**
     * The training forward: {@code raw} (T, embedding_size) ← word + position? + token type?, {@code sum} (T, hidden) ←
     * embed_proj(raw) when there is one (else raw itself: pass the same tensor), both saved; y ← dropout(LayerNorm(sum));
     * returns y.
     */
    public FloatTensor forwardTraining(Kernels k, Batch batch, DropoutMask drop, FloatTensor raw, FloatTensor sum, FloatTensor y) {
        int[] ids = batch.ids(), pos = batch.positions(), types = batch.typeIds();
        float[] rd = raw.data();
        for (int i = 0; i < batch.tokens(); i++) {
            int at = raw.rowOffset(i);
            java.util.Arrays.fill(rd, at, at + raw.dim(1), 0f);
            add(rd, at, wordEmbeddings, ids[i], "token id");
            if (positionEmbeddings != null) add(rd, at, positionEmbeddings, pos[i], "position (sequence longer than max_position_embeddings)");
            if (tokenTypeEmbeddings != null) add(rd, at, tokenTypeEmbeddings, types[i], "token type id");
        }
        if (embedProj != null) embedProj.forwardInto(k, raw, sum);
        for (int i = 0; i < batch.tokens(); i++) System.arraycopy(sum.data(), sum.rowOffset(i), y.data(), y.rowOffset(i), sum.dim(1));
        layerNorm.forward(k, y);
        drop.apply(y);
        return y;
    }

    /**
     * Backward: dy (T, hidden) at the output (the caller's scratch, overwritten) → the LayerNorm's gradients, embed_proj's
     * when there is one, then each row's gradient added into the table rows it was read from, under {@code g} (this
     * module's scope); not the word table's {@code pad_token_id} row, which transformers' {@code padding_idx} keeps fixed.
     */
    public void backward(Kernels k, Batch batch, FloatTensor raw, FloatTensor sum, DropoutMask drop, FloatTensor dy, Gradients g) {
        int t = batch.tokens(), h = config.hiddenSize(), e = config.embeddingSize();
        FloatTensor dsum = FloatTensor.zeros(t, h);
        drop.apply(dy);
        layerNorm.backward(k, sum, dy, dsum, g.prefix("LayerNorm"));
        FloatTensor draw = dsum;
        if (embedProj != null) {
            draw = FloatTensor.zeros(t, e);
            embedProj.backward(k, raw, dsum, draw, false, g.prefix("embed_proj"));
        }
        int[] ids = batch.ids(), pos = batch.positions(), types = batch.typeIds();
        scatter(draw, ids, config.padTokenId(), g.prefix("word_embeddings").tensor("weight", config.vocabSize(), e));
        if (positionEmbeddings != null) scatter(draw, pos, -1, g.prefix("position_embeddings").tensor("weight", config.maxPositionEmbeddings(), e));
        if (tokenTypeEmbeddings != null) scatter(draw, types, -1, g.prefix("token_type_embeddings").tensor("weight", config.typeVocabSize(), e));
    }

    /** table (rows, hidden) row rows[i] += d's row i, for every i whose row is not {@code skip}. */
    private static void scatter(FloatTensor d, int[] rows, int skip, FloatTensor table) {
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == skip) continue;
            int from = d.rowOffset(i), to = table.rowOffset(rows[i]);
            for (int j = 0; j < d.dim(1); j++) table.data()[to + j] += d.data()[from + j];
        }
    }

    /** Registers the tables the forward reads and the LayerNorm under {@code p} (this module's scope). */
    public void parameters(Parameters p) {
        p.prefix("word_embeddings").add("weight", wordEmbeddings);
        if (positionEmbeddings != null) p.prefix("position_embeddings").add("weight", positionEmbeddings);
        if (tokenTypeEmbeddings != null) p.prefix("token_type_embeddings").add("weight", tokenTypeEmbeddings);
        if (embedProj != null) embedProj.parameters(p.prefix("embed_proj"));
        layerNorm.parameters(p.prefix("LayerNorm"));
    }

    private static void add(float[] x, int at, FloatTensor table, int row, String what) {
        if (row < 0 || row >= table.dim(0)) throw new IllegalArgumentException(what + " " + row + " is outside [0, " + table.dim(0) + ")");
        float[] d = table.data();
        int o = table.rowOffset(row);
        for (int j = 0; j < table.dim(1); j++) x[at + j] += d[o + j];
    }
}
