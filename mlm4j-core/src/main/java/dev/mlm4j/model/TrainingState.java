package dev.mlm4j.model;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.encoder.LayerActivations;
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

    public TrainingState(Batch batch, BertConfig c) {
        this.batch = batch;
        int t = batch.tokens(), h = c.hiddenSize();
        this.embeddingSum = FloatTensor.zeros(t, h);
        this.hidden = new FloatTensor[c.numHiddenLayers() + 1];
        for (int i = 0; i < hidden.length; i++) hidden[i] = FloatTensor.zeros(t, h);
        this.layers = new LayerActivations[c.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) layers[i] = new LayerActivations(batch, c);
    }

    public Batch batch() {
        return batch;
    }

    /** (T, hidden): the encoder's last hidden state after {@link BertModel#forwardTraining}. */
    public FloatTensor lastHiddenState() {
        return hidden[hidden.length - 1];
    }
}
