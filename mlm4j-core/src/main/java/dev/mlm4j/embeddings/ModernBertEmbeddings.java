package dev.mlm4j.embeddings;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code ModernBertEmbeddings}: {@code norm(tok_embeddings[id])}, keys {@code {tok_embeddings,norm}}. No
 * position table (positions are rotary, in the attention) and no token types.
 */
public final class ModernBertEmbeddings {
    private final FloatTensor tokEmbeddings; // (vocab, hidden); also the MLM decoder, tied
    private final LayerNorm norm;

    public ModernBertEmbeddings(Weights w, ModernBertConfig c) {
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
}
