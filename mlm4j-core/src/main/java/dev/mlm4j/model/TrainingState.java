package dev.mlm4j.model;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.encoder.LayerActivations;
import dev.mlm4j.encoder.ModernBertLayerActivations;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.tensor.FloatTensor;

/**
 * The activations one training step saves for its backward, sized from the batch (llm.c's activation tensors): the
 * embeddings' sum before their LayerNorm, every hidden state (the embeddings' output and each layer's), and each
 * layer's internals ({@link LayerActivations}; ModernBERT's layers their own, {@link ModernBertLayerActivations}), and
 * the buffers the layers' backward passes share. The inference path never builds one: it keeps its in-place workspace.
 * <p>
 * A training run keeps one state's memory for all its steps ({@link BertModel#trainingState}, llm.c's buffers sized
 * once): {@link #reuse} views the first T rows of a state at least that large, zero-filled, and a larger batch replaces
 * it with a larger one (grown, never shrunk), so a step after the first allocates no activation memory.
 */
public final class TrainingState {
    final Batch batch;
    final FloatTensor embeddingSum; // (T, hidden)  word + position + token type, before LayerNorm
    final FloatTensor[] hidden;     // layers + 1 × (T, hidden): embeddings output, then each layer's output
    final LayerActivations[] layers;
    final Dropout dropout;
    final ModernBertLayerActivations[] modernBert; // ModernBERT's layers' records instead of BERT's (layers is then empty), else null

    public TrainingState(Batch batch, BertConfig c) {
        this(batch, c, Dropout.OFF);
    }

    /** The state of one training step of {@code batch} under {@code dropout} (its masks are fixed by its seed). */
    public TrainingState(Batch batch, BertConfig c, Dropout dropout) {
        this(batch.tokens(), batch, c, dropout);
    }

    /** A state of {@code batch} whose memory holds {@code t} ≥ its tokens ({@link TrainingMemory} then hands out views). */
    TrainingState(int t, Batch batch, BertConfig c, Dropout dropout) {
        requireHolds(t, batch);
        this.batch = batch;
        this.dropout = dropout;
        int h = c.hiddenSize();
        this.embeddingSum = FloatTensor.zeros(t, h);
        this.hidden = new FloatTensor[c.numHiddenLayers() + 1];
        for (int i = 0; i < hidden.length; i++) hidden[i] = FloatTensor.zeros(t, h);
        this.layers = LayerActivations.allocate(t, c, dropout);
        this.modernBert = null;
    }

    /**
     * ModernBERT's ({@link ModernBertModel#trainingState}): the embeddings' lookup before their norm, {@code layers} + 2
     * hidden states (the embeddings' output, each layer's, then final_norm's, the last hidden state) and each layer's
     * own record.
     */
    TrainingState(int t, Batch batch, int hiddenSize, Dropout dropout, ModernBertLayerActivations[] layers) {
        requireHolds(t, batch);
        this.batch = batch;
        this.dropout = dropout;
        this.embeddingSum = FloatTensor.zeros(t, hiddenSize);
        this.hidden = new FloatTensor[layers.length + 2];
        for (int i = 0; i < hidden.length; i++) hidden[i] = FloatTensor.zeros(t, hiddenSize);
        this.layers = new LayerActivations[0];
        this.modernBert = layers;
    }

    private static void requireHolds(int t, Batch batch) {
        if (t < batch.tokens()) throw new IllegalArgumentException("a training state of " + t + " tokens for a batch of " + batch.tokens());
    }

    /** Views of {@code of}'s first T rows, zero-filled, with the layers' records {@code layers} (BERT's) or {@code modernBert} (ModernBERT's) already made so. */
    private TrainingState(TrainingState of, Batch batch, Dropout dropout, LayerActivations[] layers, ModernBertLayerActivations[] modernBert) {
        int t = batch.tokens();
        this.batch = batch;
        this.dropout = dropout;
        this.embeddingSum = Parallel.zeroed(of.embeddingSum.slice(0, t));
        this.hidden = new FloatTensor[of.hidden.length];
        for (int i = 0; i < hidden.length; i++) hidden[i] = Parallel.zeroed(of.hidden[i].slice(0, t));
        this.layers = layers;
        this.modernBert = modernBert;
    }

    /** {@link #reuse} for a ModernBERT state: its own layer records' views ({@link ModernBertLayerActivations#reuse}). */
    TrainingState reuse(Batch batch, ModernBertConfig c, Dropout dropout) {
        if (batch.tokens() > capacity()) throw new IllegalArgumentException("a batch of " + batch.tokens() + " tokens in a training state of " + capacity());
        return new TrainingState(this, batch, dropout, layers, ModernBertLayerActivations.reuse(modernBert, batch.tokens(), c, dropout));
    }

    /**
     * The state of a step of {@code batch} under {@code dropout} in this state's memory: views of its first
     * {@code batch.tokens()} rows, zero-filled as a new state's would be. This state must hold at least that many
     * tokens ({@link #capacity()}); using the returned state makes this one's contents (and any earlier view's) stale.
     */
    public TrainingState reuse(Batch batch, BertConfig c, Dropout dropout) {
        if (batch.tokens() > capacity()) throw new IllegalArgumentException("a batch of " + batch.tokens() + " tokens in a training state of " + capacity());
        return new TrainingState(this, batch, dropout, LayerActivations.reuse(layers, batch.tokens(), c, dropout), null);
    }

    /** Tokens this state's memory holds. */
    public int capacity() {
        return embeddingSum.dim(0);
    }

    public Dropout dropout() {
        return dropout;
    }

    /** Bytes of every saved activation (floats × 4): what a training step keeps alive between its forward and backward. */
    public long activationBytes() {
        long b = 4L * embeddingSum.size();
        for (FloatTensor t : hidden) b += 4L * t.size();
        for (LayerActivations a : layers) b += a.bytes();
        if (modernBert != null) for (ModernBertLayerActivations a : modernBert) b += a.bytes();
        return b;
    }

    public Batch batch() {
        return batch;
    }

    /** (T, hidden): the encoder's last hidden state after {@link BertModel#forwardTraining}. */
    public FloatTensor lastHiddenState() {
        return hidden[hidden.length - 1];
    }
}
