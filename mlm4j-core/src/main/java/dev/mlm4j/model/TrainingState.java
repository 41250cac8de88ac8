package dev.mlm4j.model;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.encoder.LayerActivations;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.tensor.FloatTensor;

/**
 * The activations one training step saves for its backward, sized from the batch (llm.c's activation tensors): the
 * embeddings' sum before their LayerNorm, every hidden state (the embeddings' output and each layer's), and each
 * layer's internals ({@link LayerActivations}). The inference path never builds one: it keeps its in-place workspace.
 */
public final class TrainingState {
    final Batch batch;
    final FloatTensor embeddingSum; // (T, hidden)  word + position + token type, before LayerNorm
    final FloatTensor[] hidden;     // layers + 1 × (T, hidden): embeddings output, then each layer's output
    final LayerActivations[] layers;
    final Dropout dropout;

    public TrainingState(Batch batch, BertConfig c) {
        this(batch, c, Dropout.OFF);
    }

    /** The state of one training step of {@code batch} under {@code dropout} (its masks are fixed by its seed). */
    public TrainingState(Batch batch, BertConfig c, Dropout dropout) {
        this.batch = batch;
        this.dropout = dropout;
        int t = batch.tokens(), h = c.hiddenSize();
        this.embeddingSum = FloatTensor.zeros(t, h);
        this.hidden = new FloatTensor[c.numHiddenLayers() + 1];
        for (int i = 0; i < hidden.length; i++) hidden[i] = FloatTensor.zeros(t, h);
        this.layers = new LayerActivations[c.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) layers[i] = new LayerActivations(batch, c, dropout, i);
    }

    public Dropout dropout() {
        return dropout;
    }

    /** Bytes of every saved activation (floats × 4): what a training step keeps alive between its forward and backward. */
    public long activationBytes() {
        long b = 4L * embeddingSum.size();
        for (FloatTensor t : hidden) b += 4L * t.size();
        for (LayerActivations a : layers) b += a.bytes();
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
