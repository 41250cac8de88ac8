package dev.mlm4j.model;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.EncoderConfig;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;

/**
 * A family's bare model on BERT's embeddings and layers ({@link BertModel}, {@link RobertaModel}, {@link ElectraModel}):
 * {@link EncoderModel}'s forward, and training through the {@link BertTraining} the family builds from its blocks (its
 * position ids, its projection) and hands here. A subclass adds its parameters' registration and its key scope.
 *
 * @param <C> the family's config record
 */
abstract class BertLayersModel<C extends EncoderConfig> extends EncoderModel<C> implements TrainableEncoder {
    private final BertTraining training;

    BertLayersModel(C config, Embed embed, Layers layers, BertTraining training) {
        super(config, embed, layers);
        this.training = training;
    }

    /**
     * The state of one training step of {@code batch} under {@code dropout}, in memory this model keeps across steps:
     * allocated for the first batch, replaced by a larger one when a batch has more tokens than it holds (never shrunk),
     * otherwise reused, zero-filled ({@link TrainingState#reuse}). The state is valid until the next call; one training
     * thread at a time.
     */
    @Override
    public final TrainingState trainingState(Batch batch, Dropout dropout) {
        return training.state(batch, dropout);
    }

    /**
     * The training forward under {@code mask} (the model's own mask rule applied, e.g. a decoder's causal one): the same
     * numbers as {@link #forward} (the exact attention path, GELU outside the GEMM), with every activation the backward
     * needs saved in {@code s}; returns the last hidden state (T, hidden). Dropout as {@code s} was made with.
     */
    @Override
    public final FloatTensor forwardTraining(Kernels k, TrainingState s, AttentionMask mask) {
        checkLength(s.batch());
        return training.forward(k, s, mask(mask), null);
    }

    /**
     * As {@link #forwardTraining(Kernels, TrainingState, AttentionMask)}, the last layer's projection and feed-forward
     * block computed at {@code rows} only when they are at most half the batch's tokens (no more rows, no gain).
     */
    @Override
    public final FloatTensor forwardTraining(Kernels k, TrainingState s, AttentionMask mask, int[] rows) {
        checkLength(s.batch());
        boolean fewer = rows != null && rows.length > 0 && 2L * rows.length <= s.batch().tokens();
        return training.forward(k, s, mask(mask), fewer ? TrainableEncoder.checkRows(rows, s.batch().tokens()) : null);
    }

    /** Backward from {@code dLast} (T, hidden) at the last hidden state; gradients under {@code g} (this model's scope). */
    @Override
    public final void backward(Kernels k, TrainingState s, FloatTensor dLast, Gradients g) {
        training.backward(k, s, dLast, g);
    }
}
