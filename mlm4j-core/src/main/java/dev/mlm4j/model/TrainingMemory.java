package dev.mlm4j.model;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.layers.Dropout;

/**
 * The memory of the training states a model hands out, one training thread at a time (llm.c's activation buffers sized
 * once): allocated for the first batch, replaced by a larger one when a batch has more tokens than it holds (never
 * shrunk), otherwise reused zero-filled ({@link TrainingState#reuse}). What BERT's ({@link BertTraining}), DistilBERT's,
 * DeBERTa's and ModernBERT's models keep; ModernBERT's says how its states are made and viewed ({@link #TrainingMemory(
 * Allocate, Reuse)}).
 */
final class TrainingMemory {
    /** A state whose memory holds {@code tokens} (at least the batch's). */
    interface Allocate {
        TrainingState of(int tokens, Batch batch, Dropout dropout);
    }

    /** A view of {@code base}'s memory for {@code batch} ({@link TrainingState#reuse}). */
    interface Reuse {
        TrainingState of(TrainingState base, Batch batch, Dropout dropout);
    }

    private final Allocate allocate;
    private final Reuse reuse;
    private TrainingState state; // for the largest batch so far; null before training

    /** BERT-layer states ({@link LayerActivations}) of {@code sizes}. */
    TrainingMemory(BertConfig sizes) {
        this((t, batch, dropout) -> new TrainingState(t, batch, sizes, dropout), (base, batch, dropout) -> base.reuse(batch, sizes, dropout));
    }

    TrainingMemory(Allocate allocate, Reuse reuse) {
        this.allocate = allocate;
        this.reuse = reuse;
    }

    /**
     * Tokens a new state's memory is rounded up to. Packing fills each batch to just under --batch-tokens, a few tokens
     * more or less each time (4,056, 4,088, 4,093…): sized exactly, the state (~0.6 GB for all-MiniLM-L6-v2 at 4,096
     * tokens) was re-allocated at each new maximum. Rounded, a run allocates once. A multiple of 256 keeps dense
     * batches (8 × 128) exact; a batch of fewer tokens is kept exact too (small, and cheap to regrow).
     */
    static final int GRAIN = 256;

    /** The tokens a new state for a batch of {@code tokens} holds. */
    static int capacityFor(int tokens) {
        return tokens < GRAIN ? tokens : Math.ceilDiv(tokens, GRAIN) * GRAIN;
    }

    /** The state of one training step of {@code batch} under {@code dropout}, valid until the next call. */
    TrainingState next(Batch batch, Dropout dropout) {
        TrainingState m = state;
        if (m != null && m.capacity() >= batch.tokens()) return reuse.of(m, batch, dropout);
        // Let the smaller one go before making the larger, the field and the local: an interpreted frame's reference
        // slot keeps its object alive to the end of the method (this one runs once a step, so it stays interpreted).
        // With only the field cleared, both states were in the heap while the new one was made, and all-MiniLM-L6-v2's
        // classification training ran out of the launcher's heap there (step 3 on four-word texts, step 9 on Brown
        // sentences).
        state = null;
        m = null;
        state = allocate.of(capacityFor(batch.tokens()), batch, dropout);
        return reuse.of(state, batch, dropout);
    }
}
