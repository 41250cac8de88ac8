package dev.mlm4j.embeddings;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.RobertaConfig;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code RobertaEmbeddings}: BERT's sum LayerNorm(word + position + token type) (the same keys, read by
 * {@link BertEmbeddings}) at RoBERTa's position ids: {@link #positionIds}.
 */
public final class RobertaEmbeddings {
    private final BertEmbeddings bert;
    private final int paddingIdx;

    public RobertaEmbeddings(Weights w, RobertaConfig c) {
        this.bert = new BertEmbeddings(w, c.bert(), c.padTokenId());
        this.paddingIdx = c.padTokenId();
    }

    public FloatTensor wordEmbeddings() {
        return bert.wordEmbeddings();
    }

    /** BERT's embeddings module under these (the same tensors): what training runs, at {@link #positionIds(Batch)}. */
    public BertEmbeddings bert() {
        return bert;
    }

    /** This model's position ids for the packed batch ({@link #positionIds(Batch, int)} at its padding id). */
    public int[] positionIds(Batch batch) {
        return positionIds(batch, paddingIdx);
    }

    /** (T, hidden) for the packed batch. */
    public FloatTensor forward(Kernels k, Batch batch) {
        return bert.forward(k, batch, positionIds(batch));
    }

    /**
     * transformers' {@code create_position_ids_from_input_ids}, per sequence: {@code cumsum(mask) * mask + padding_idx}
     * with mask = (id ≠ padding_idx). The n-th non-padding token takes position {@code padding_idx + n}; a padding token
     * takes {@code padding_idx} and does not advance the count.
     */
    public static int[] positionIds(Batch batch, int paddingIdx) {
        int[] ids = batch.ids(), pos = new int[ids.length];
        for (int s = 0; s < batch.size(); s++) {
            int n = 0;
            for (int i = batch.offset(s), end = i + batch.length(s); i < end; i++) {
                pos[i] = ids[i] == paddingIdx ? paddingIdx : paddingIdx + ++n;
            }
        }
        return pos;
    }
}
