package dev.mlm4j.model;

import dev.mlm4j.config.Batch;
import dev.mlm4j.tensor.FloatTensor;

import java.util.List;

/**
 * The result of {@link BertModel#forward}.
 *
 * @param batch            the packed input
 * @param lastHiddenState  (T, hidden), rows in the batch's packed order
 * @param hiddenStates     if requested: [embeddings output, layer 1 output, …] each (T, hidden); else empty
 * @param attentions       if requested: attentions.get(layer)[sequence] is (heads, len, len); else empty
 * @param scores           if requested: scores.get(layer)[sequence] is (heads, len, len) QKᵀ/√d_k before the mask; else empty
 */
public record EncoderOutput(Batch batch, FloatTensor lastHiddenState, List<FloatTensor> hiddenStates,
                            List<FloatTensor[]> attentions, List<FloatTensor[]> scores) {

    public EncoderOutput(Batch batch, FloatTensor lastHiddenState, List<FloatTensor> hiddenStates, List<FloatTensor[]> attentions) {
        this(batch, lastHiddenState, hiddenStates, attentions, List.of());
    }

    /** The (len, hidden) rows of sequence {@code s}. */
    public FloatTensor sequence(int s) {
        return lastHiddenState.slice(batch.offset(s), batch.length(s));
    }
}
