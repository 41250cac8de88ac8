package dev.mlm4j.embeddings;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.kernels.DropoutMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code ModernBertEmbeddings}: {@code norm(tok_embeddings[id])}, keys {@code {tok_embeddings,norm}}. No
 * position table (positions are rotary, in the attention) and no token types.
 */
public final class ModernBertEmbeddings {
    private final FloatTensor tokEmbeddings; // (vocab, hidden); also the MLM decoder, tied
    private final LayerNorm norm;
    private final int padTokenId;            // the table's padding_idx: its row takes no gradient

    public ModernBertEmbeddings(Weights w, ModernBertConfig c) {
        this.padTokenId = c.padTokenId();
        this.tokEmbeddings = w.prefix("tok_embeddings").tensor("weight", c.vocabSize(), c.hiddenSize());
        this.norm = LayerNorm.load(w.prefix("norm"), c.hiddenSize(), c.normEps(), c.normBias());
    }

    public FloatTensor tokEmbeddings() {
        return tokEmbeddings;
    }

    /** The packed batch's embeddings (T, hidden). */
    public FloatTensor forward(Kernels k, Batch batch) {
        FloatTensor x = FloatTensor.zeros(batch.tokens(), tokEmbeddings.dim(1));
        k.embeddingLookup(tokEmbeddings, batch.ids(), x);
        norm.forward(k, x);
        return x;
    }

    // ---- training ------------------------------------------------------------------------------------------

    /** Training forward: {@code sum} (T, hidden) ← tok_embeddings[id] (saved), y ← drop(norm(sum)) ({@code embedding_dropout}); returns y. */
    public FloatTensor forwardTraining(Kernels k, Batch batch, DropoutMask drop, FloatTensor sum, FloatTensor y) {
        k.embeddingLookup(tokEmbeddings, batch.ids(), sum);
        System.arraycopy(sum.data(), sum.offset(), y.data(), y.offset(), sum.size());
        norm.forward(k, y);
        drop.apply(y);
        return y;
    }

    /**
     * Backward: dy (T, hidden) at the output (the caller's scratch, overwritten) → norm's gradients and each row's
     * gradient added into the table row it was read from, except {@code pad_token_id}'s (nn.Embedding's padding_idx),
     * under {@code g} (this module's scope).
     */
    public void backward(Kernels k, Batch batch, FloatTensor sum, DropoutMask drop, FloatTensor dy, Gradients g) {
        int t = batch.tokens(), h = tokEmbeddings.dim(1);
        drop.apply(dy);
        FloatTensor dsum = FloatTensor.zeros(t, h);
        norm.backward(k, sum, dy, dsum, g.prefix("norm"));
        FloatTensor dw = g.prefix("tok_embeddings").tensor("weight", tokEmbeddings.dim(0), h);
        int[] ids = batch.ids();
        for (int i = 0; i < t; i++) {
            if (ids[i] == padTokenId) continue;
            int wo = dw.rowOffset(ids[i]);
            for (int j = 0; j < h; j++) dw.data()[wo + j] += dsum.data()[i * h + j];
        }
    }

    /** Registers the table and norm's weight under {@code p} (this module's scope), the forward's own tensors. */
    public void parameters(Parameters p) {
        p.prefix("tok_embeddings").add("weight", tokEmbeddings);
        norm.parameters(p.prefix("norm"));
    }
}
