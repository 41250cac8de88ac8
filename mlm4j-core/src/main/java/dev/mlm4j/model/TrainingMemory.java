package dev.mlm4j.model;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.layers.Dropout;

/**
 * The memory of the training states a model hands out, one training thread at a time (llm.c's activation buffers sized
 * once): allocated for the first batch, replaced by a larger one when a batch has more tokens than it holds (never
 * shrunk), otherwise reused zero-filled ({@link TrainingState#reuse}). What BERT's ({@link BertTraining}), DistilBERT's
 * and DeBERTa's models keep.
 */
final class TrainingMemory {
    private final BertConfig sizes;
    private TrainingState state; // for the largest batch so far; null before training

    TrainingMemory(BertConfig sizes) {
        this.sizes = sizes;
    }

    /** The state of one training step of {@code batch} under {@code dropout}, valid until the next call. */
    TrainingState next(Batch batch, Dropout dropout) {
        TrainingState m = state;
        if (m != null && m.capacity() >= batch.tokens()) return m.reuse(batch, sizes, dropout);
        state = null;                                    // let the smaller one go before making the larger
        return state = new TrainingState(batch, sizes, dropout);
    }
}
