package dev.mlm4j.encoder;

import dev.mlm4j.kernels.DropoutMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.tensor.FloatTensor;

/**
 * What DeBERTa's relative attention saves in one training step beyond BERT's {@link LayerActivations}: the relative
 * embeddings every layer reads (after the encoder's LayerNorm when {@code norm_rel_ebd} asks), and per layer their copy
 * after that layer's {@code pos_dropout} and its projections K^r, Q^r; and the gradient at the shared embeddings, which
 * every layer's backward adds into. Sized by the relative table (2·span, hidden), not by the batch.
 */
public final class RelativeActivations {
    final FloatTensor rel;                                   // (2·span, hidden)  what the layers read
    final FloatTensor gradient;                              // (2·span, hidden)  Σ over layers of the gradient at rel
    private final FloatTensor[] input;                       // per layer: dropout(rel)
    private final DisentangledSelfAttention.Positions[] positions;
    private final DropoutMask[] drop;

    RelativeActivations(FloatTensor rel, int layers, Dropout dropout) {
        this.rel = rel;
        this.gradient = FloatTensor.zeros(rel.dim(0), rel.dim(1));
        this.input = new FloatTensor[layers];
        this.positions = new DisentangledSelfAttention.Positions[layers];
        this.drop = new DropoutMask[layers];
        for (int i = 0; i < layers; i++) drop[i] = dropout.relativeEmbeddings(i);
    }

    /** Layer {@code layer}'s relative projections, from rel after its dropout, saved for its backward. */
    DisentangledSelfAttention.Positions project(Kernels k, int layer, DisentangledSelfAttention attention) {
        FloatTensor in = drop[layer].isNone() ? rel : rel.copy();
        drop[layer].apply(in);
        input[layer] = in;
        return positions[layer] = attention.positions(k, in);
    }

    DisentangledSelfAttention.Positions positions(int layer) {
        return positions[layer];
    }

    FloatTensor input(int layer) {
        return input[layer];
    }

    /** Adds {@code d}, the gradient at layer {@code layer}'s dropped-out copy, through its dropout into {@link #gradient}. */
    void add(Kernels k, int layer, FloatTensor d) {
        drop[layer].apply(d);
        k.add(gradient, d);
    }
}
