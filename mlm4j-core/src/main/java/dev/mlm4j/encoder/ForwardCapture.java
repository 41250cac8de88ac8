package dev.mlm4j.encoder;

import dev.mlm4j.config.Batch;
import dev.mlm4j.tensor.FloatTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * What one forward pass records besides its result, as the caller asked (the model's {@code ForwardOptions.capture()}): the hidden
 * state after the embeddings and after every layer, every layer's attention probabilities A, and every layer's
 * scaled scores QKᵀ/√d_k before the mask. The blocks fill it as they run; the model reads it back into its
 * {@code EncoderOutput}. One object travels down the forward signatures instead of one nullable argument per option,
 * so a new kind of record (e.g. what a backward pass will need) is a field here, not a parameter everywhere.
 *
 * <p>{@link #NONE} asks for nothing: attention then takes the tiled path with no (len, len) matrix, exactly as fast as
 * without a capture. A capture that records is for one forward pass on one thread at a time (the layers' parallel
 * heads each write their own slices of buffers allocated before they start).
 */
public final class ForwardCapture {
    /** Records nothing; shared. */
    public static final ForwardCapture NONE = new ForwardCapture(false, false, false);

    private final boolean attentions, scores, hiddenStates;
    private final List<FloatTensor> hidden = new ArrayList<>();
    private final List<FloatTensor[]> probabilities = new ArrayList<>();
    private final List<FloatTensor[]> rawScores = new ArrayList<>();

    /**
     * @param attentions   record every layer's per-sequence (heads, len, len) attention probabilities
     * @param hiddenStates record the embeddings output and every layer's output, each (T, hidden)
     * @param scores       record every layer's per-sequence (heads, len, len) QKᵀ/√d_k before the mask
     */
    public ForwardCapture(boolean attentions, boolean hiddenStates, boolean scores) {
        this.attentions = attentions;
        this.scores = scores;
        this.hiddenStates = hiddenStates;
    }

    /** A fresh capture of what is asked for; {@link #NONE} when nothing is. */
    public static ForwardCapture of(boolean attentions, boolean hiddenStates, boolean scores) {
        return attentions || hiddenStates || scores ? new ForwardCapture(attentions, hiddenStates, scores) : NONE;
    }

    /** One layer's attention buffers, per sequence (heads, len, len); an array is null when not recorded. */
    record LayerAttention(FloatTensor[] probabilities, FloatTensor[] scores) {}

    /**
     * Called once per layer by the self-attention before its heads run: new buffers for this layer's probabilities
     * and scores, appended to the record; null when neither is recorded (then the heads need no score matrix).
     */
    LayerAttention attention(Batch batch, int heads) {
        if (!attentions && !scores) return null;
        FloatTensor[] p = attentions ? perSequence(batch, heads) : null, s = scores ? perSequence(batch, heads) : null;
        if (p != null) probabilities.add(p);
        if (s != null) rawScores.add(s);
        return new LayerAttention(p, s);
    }

    private static FloatTensor[] perSequence(Batch batch, int heads) {
        FloatTensor[] t = new FloatTensor[batch.size()];
        for (int s = 0; s < t.length; s++) t[s] = FloatTensor.zeros(heads, batch.length(s), batch.length(s));
        return t;
    }

    /** Records a copy of the hidden state x (T, hidden), if hidden states are recorded (x is updated in place later). */
    public void hiddenState(FloatTensor x) {
        if (hiddenStates) hidden.add(x.copy());
    }

    /** [embeddings output, layer 1 output, …] if recorded, else empty. */
    public List<FloatTensor> hiddenStates() {
        return hiddenStates ? hidden : List.of();
    }

    /** attentions().get(layer)[sequence] is (heads, len, len), if recorded; else empty. */
    public List<FloatTensor[]> attentions() {
        return attentions ? probabilities : List.of();
    }

    /** scores().get(layer)[sequence] is (heads, len, len) QKᵀ/√d_k before the mask, if recorded; else empty. */
    public List<FloatTensor[]> scores() {
        return scores ? rawScores : List.of();
    }
}
