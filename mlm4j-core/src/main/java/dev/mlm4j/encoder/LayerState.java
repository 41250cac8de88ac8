package dev.mlm4j.encoder;

import dev.mlm4j.tensor.FloatTensor;

/**
 * The activations inside one encoder layer for a packed batch, allocated once per forward pass and reused by
 * every layer (llama3.java's State): the layers allocate nothing, so a 12-layer pass makes a twelfth of the
 * garbage it would otherwise, and {@link BertEncoder} keeps one small idle state for the next call. The
 * layer's input and output are not in here: the hidden state (T, hidden) is updated in place.
 */
public final class LayerState {
    /**
     * Bytes of idle state an encoder keeps between calls: ≈ 2,400 tokens of bert-base, 4,800 of MiniLM, so a
     * batch job of 32 × 128-token texts reuses one state instead of allocating it again per batch.
     */
    static final long RETAIN_BYTES = 64L << 20;

    private final FloatTensor qkv;   // (capacity, 3·hidden)  query | key | value
    private final FloatTensor ctx;   // (capacity, hidden)    attention output, heads merged
    private final FloatTensor attn;  // (capacity, hidden)    LayerNorm(x + dense(ctx))
    private final FloatTensor inter; // (capacity, intermediate)  GELU(dense(attn))

    /** The same workspace for any family with BERT's layer shape (hidden {@code h}, feed-forward width {@code intermediate}). */
    LayerState(int tokens, int h, int intermediate) {
        this.qkv = FloatTensor.zeros(tokens, 3 * h);
        this.ctx = FloatTensor.zeros(tokens, h);
        this.attn = FloatTensor.zeros(tokens, h);
        this.inter = FloatTensor.zeros(tokens, intermediate);
    }

    /** Tokens the buffers hold. */
    int capacity() {
        return qkv.dim(0);
    }

    long bytes() {
        return 4L * (qkv.size() + ctx.size() + attn.size() + inter.size());
    }

    /** The first t rows of each buffer. */
    FloatTensor qkv(int t) {
        return qkv.slice(0, t);
    }

    FloatTensor ctx(int t) {
        return ctx.slice(0, t);
    }

    FloatTensor attn(int t) {
        return attn.slice(0, t);
    }

    FloatTensor inter(int t) {
        return inter.slice(0, t);
    }
}
