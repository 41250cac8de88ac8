package dev.mlm4j.model;

import dev.mlm4j.config.Batch;
import dev.mlm4j.encoder.ForwardCapture;
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

    /** The output of a forward pass: its last hidden state and what {@code capture} recorded on the way. */
    public static EncoderOutput captured(Batch batch, FloatTensor lastHiddenState, ForwardCapture capture) {
        return new EncoderOutput(batch, lastHiddenState, capture.hiddenStates(), capture.attentions(), capture.scores());
    }

    /** Rows {@code rows} of {@link #lastHiddenState} (packed positions) copied into a new (rows.length, hidden) tensor: what a head reads. */
    public FloatTensor lastHiddenRows(int[] rows) {
        return lastHiddenState.gatherRows(rows);
    }

    /** The (len, hidden) rows of each sequence's first token ([CLS]): what a pooler reads. */
    public FloatTensor firstTokens() {
        int[] rows = new int[batch.size()];
        for (int s = 0; s < rows.length; s++) rows[s] = batch.offset(s);
        return lastHiddenRows(rows);
    }

    /** Each sequence's mean over its tokens, (sequences, hidden): transformers' masked mean over a padded batch's real tokens. */
    public FloatTensor meanTokens() {
        FloatTensor m = FloatTensor.zeros(batch.size(), lastHiddenState.dim(1));
        for (int s = 0; s < batch.size(); s++) {
            for (int j = 0; j < lastHiddenState.dim(1); j++) {
                float sum = 0;
                for (int i = 0; i < batch.length(s); i++) sum += lastHiddenState.at(batch.offset(s) + i, j);
                m.data()[s * lastHiddenState.dim(1) + j] = sum / batch.length(s);
            }
        }
        return m;
    }

    /** The (len, hidden) rows of sequence {@code s}. */
    public FloatTensor sequence(int s) {
        return lastHiddenState.slice(batch.offset(s), batch.length(s));
    }
}
