package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.kernels.DropoutMask;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.tensor.FloatTensor;

/**
 * What one encoder layer's training forward saves for its backward, sized from the batch: unlike the inference
 * {@link LayerState} (one workspace reused by every layer, the hidden state overwritten in place) each layer keeps
 * its own. The layer's input and output are not in here: they are the encoder's hidden states
 * ({@link BertEncoder#forwardTraining}). The attention probabilities are not saved: the backward recomputes them tile
 * by tile from Q, K and each row's log-sum-exp (FlashAttention's backward), so no (len, len) matrix per head is kept.
 * The dropout masks are not stored either: each is regenerated from its key ({@link DropoutMask}).
 */
public final class LayerActivations {
    final FloatTensor qkv;      // (T, 3·hidden)        query | key | value
    final float[] lse;          // (heads, T)           per head and row: log Σ_j exp(s_ij), the softmax's normaliser
    final FloatTensor ctx;      // (T, hidden)          (Z ⊙ A) V, heads merged
    final FloatTensor attnSum;  // (T, hidden)          x + dropout(dense(ctx)), before LayerNorm
    final FloatTensor attn;     // (T, hidden)          LayerNorm(attnSum)
    final FloatTensor interPre; // (T, intermediate)    dense(attn), before GELU
    final FloatTensor inter;    // (T, intermediate)    GELU(interPre)
    final FloatTensor outSum;   // (T, hidden)          attn + dropout(dense(inter)), before LayerNorm
    final DropoutMask probsDrop, attnDrop, outDrop;
    final BackwardBuffers grads; // shared by every layer of one training state: the backward runs one layer at a time
    private final int lseFloats; // heads × T: the part of lse this batch uses
    AttentionMask mask = AttentionMask.BIDIRECTIONAL; // the forward's, for the backward's recomputation
    /**
     * Null, or the rows a last layer's forward computed its output at ({@link BertLayer#forwardTraining(dev.mlm4j.kernels.Kernels,
     * FloatTensor, Batch, AttentionMask, LayerActivations, FloatTensor, int[])}): then attnSum, attn, interPre, inter and
     * outSum hold those rows only, in their first rows.length rows.
     */
    int[] rows;

    public LayerActivations(Batch batch, BertConfig c) {
        this(batch, c, Dropout.OFF, 0);
    }

    /** The activations of layer {@code layer}, with that layer's dropout masks from {@code dropout}. */
    public LayerActivations(Batch batch, BertConfig c, Dropout dropout, int layer) {
        this(batch.tokens(), c, dropout, layer, new BackwardBuffers(batch.tokens(), c));
    }

    private LayerActivations(int t, BertConfig c, Dropout dropout, int layer, BackwardBuffers grads) {
        int h = c.hiddenSize(), i = c.intermediateSize();
        this.qkv = FloatTensor.zeros(t, 3 * h);
        this.lse = new float[c.numAttentionHeads() * t];
        this.lseFloats = lse.length;
        this.ctx = FloatTensor.zeros(t, h);
        this.attnSum = FloatTensor.zeros(t, h);
        this.attn = FloatTensor.zeros(t, h);
        this.interPre = FloatTensor.zeros(t, i);
        this.inter = FloatTensor.zeros(t, i);
        this.outSum = FloatTensor.zeros(t, h);
        this.probsDrop = dropout.attentionProbs(layer);
        this.attnDrop = dropout.attentionOutput(layer);
        this.outDrop = dropout.output(layer);
        this.grads = grads;
    }

    /**
     * A view of {@code of}'s first t rows with layer {@code layer}'s masks from {@code dropout}. Not zero-filled: the
     * forward writes every float of these before anything reads it (ReusedStateTest runs a step in a larger step's
     * memory against a fresh model), and filling them was 566 MB of writes a MiniLM step at 32 × 128.
     */
    private LayerActivations(LayerActivations of, int t, int heads, Dropout dropout, int layer, BackwardBuffers grads) {
        this.qkv = of.qkv.slice(0, t);
        this.lse = of.lse;
        this.lseFloats = heads * t;
        this.ctx = of.ctx.slice(0, t);
        this.attnSum = of.attnSum.slice(0, t);
        this.attn = of.attn.slice(0, t);
        this.interPre = of.interPre.slice(0, t);
        this.inter = of.inter.slice(0, t);
        this.outSum = of.outSum.slice(0, t);
        this.probsDrop = dropout.attentionProbs(layer);
        this.attnDrop = dropout.attentionOutput(layer);
        this.outDrop = dropout.output(layer);
        this.grads = grads;
    }

    /**
     * Every layer's activations for a batch of {@code t} tokens, sharing one set of backward buffers: a training
     * state's memory, allocated once for the largest batch it will hold.
     */
    public static LayerActivations[] allocate(int t, BertConfig c, Dropout dropout) {
        BackwardBuffers grads = new BackwardBuffers(t, c);
        LayerActivations[] layers = new LayerActivations[c.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) layers[i] = new LayerActivations(t, c, dropout, i, grads);
        return layers;
    }

    /**
     * Views of {@code of} (from {@link #allocate}, for at least t tokens) for a batch of {@code t} tokens under
     * {@code dropout}: the same floats (not zero-filled: each step writes before it reads), nothing allocated but the views.
     */
    public static LayerActivations[] reuse(LayerActivations[] of, int t, BertConfig c, Dropout dropout) {
        if (of.length == 0) return of;
        BackwardBuffers grads = of[0].grads.view(t);
        LayerActivations[] layers = new LayerActivations[of.length];
        for (int i = 0; i < layers.length; i++) layers[i] = new LayerActivations(of[i], t, c.numAttentionHeads(), dropout, i, grads);
        return layers;
    }

    /** Tokens this layer's buffers hold. */
    public int capacity() {
        return qkv.dim(0);
    }

    /** Bytes of the saved activations (floats × 4). */
    public long bytes() {
        long floats = (long) qkv.size() + lseFloats + ctx.size() + attnSum.size() + attn.size() + interPre.size() + inter.size() + outSum.size();
        return 4 * floats;
    }

    /**
     * to ← from, row by row, in parallel pieces: the training forward copies each pre-activation it keeps (25 MB of a
     * MiniLM layer's feed-forward at 32 × 128), and on the caller alone these copies were 1.4 % of a step's samples on
     * the main thread while the other thread waited.
     */
    static void copy(FloatTensor from, FloatTensor to) {
        int cols = from.dim(1);
        float[] src = from.data(), dst = to.data();
        Parallel.forRange(from.dim(0), Math.max(1, (1 << 14) / Math.max(1, cols)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) System.arraycopy(src, from.rowOffset(r), dst, to.rowOffset(r), cols);
        });
    }
}
