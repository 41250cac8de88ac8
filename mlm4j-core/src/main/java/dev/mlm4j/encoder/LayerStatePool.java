package dev.mlm4j.encoder;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@link LayerState} an encoder's inference forward reuses for every layer, and one idle state kept for its next
 * call (up to {@link LayerState#RETAIN_BYTES}; taken by one thread at a time, another gets a new one): BERT's,
 * DistilBERT's, DeBERTa's, and ModernBERT's with the feed-forward buffer twice as wide for its input | gate.
 */
public final class LayerStatePool {
    private final int hidden, intermediate;
    private final AtomicReference<LayerState> idle = new AtomicReference<>();

    /** States of {@code hidden}-wide layers whose feed-forward buffer is {@code intermediate} wide. */
    public LayerStatePool(int hidden, int intermediate) {
        this.hidden = hidden;
        this.intermediate = intermediate;
    }

    /** The idle state if it holds {@code tokens}, else a new one; the caller owns it until {@link #release}. */
    public LayerState take(int tokens) {
        LayerState s = idle.getAndSet(null);
        return s != null && s.capacity() >= tokens ? s : new LayerState(tokens, hidden, intermediate);
    }

    /** Keeps {@code s} for the next call when it is small enough. */
    public void release(LayerState s) {
        if (s.bytes() <= LayerState.RETAIN_BYTES) idle.set(s);
    }
}
