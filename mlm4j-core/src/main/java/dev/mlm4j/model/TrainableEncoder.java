package dev.mlm4j.model;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;

/**
 * An encoder with a backward pass: BERT's layers under BERT's ({@link BertModel}), RoBERTa's and XLM-RoBERTa's
 * ({@link RobertaModel}) or ELECTRA's ({@link ElectraModel}: narrower, projected) embeddings, the one stack of training
 * code they share ({@link BertTraining}); DistilBERT's ({@link DistilBertModel}: its blocks' backward passes on
 * BERT's pieces and buffers); DeBERTa-v2/v3's ({@link DebertaV2Model}: the disentangled attention's backward, the
 * relative embeddings and their LayerNorm trained, embed_proj and DeBERTa-v2's convolution too, BERT's buffers); and
 * ModernBERT's ({@link ModernBertModel}: pre-norm layers with their own backward passes and activation records, rotary
 * and sliding-window attention). A task model that trains ({@link Trainable}) runs its head on top of one of these.
 */
public interface TrainableEncoder extends Encoder {
    /** The state of one training step of {@code batch} under {@code dropout}, in memory the model keeps across steps; one training thread at a time. */
    TrainingState trainingState(Batch batch, Dropout dropout);

    /** The training forward under {@code mask}, saving in {@code s} what the backward needs; returns the last hidden state (T, hidden). */
    FloatTensor forwardTraining(Kernels k, TrainingState s, AttentionMask mask);

    /**
     * The training forward for a loss that reads the last hidden state only at {@code rows} (distinct row indices of the
     * packed batch: an MLM step's labelled rows, a classification step's pooled ones). Those rows are the same numbers
     * as {@link #forwardTraining(Kernels, TrainingState, AttentionMask)}'s; the others may be left uncomputed (BERT's,
     * RoBERTa's and ELECTRA's layers skip the last layer's projections and feed-forward block there), so the loss must
     * not read them, and {@link #backward}'s dLast must be zero outside them. This default computes every row.
     */
    default FloatTensor forwardTraining(Kernels k, TrainingState s, AttentionMask mask, int[] rows) {
        return forwardTraining(k, s, mask);
    }

    /** {@code rows}, or a one-line error if one is outside [0, tokens) or repeated. */
    static int[] checkRows(int[] rows, int tokens) {
        java.util.BitSet seen = new java.util.BitSet(tokens);
        for (int r : rows) {
            if (r < 0 || r >= tokens) throw new IllegalArgumentException("row " + r + " outside a batch of " + tokens + " tokens");
            if (seen.get(r)) throw new IllegalArgumentException("row " + r + " given twice");
            seen.set(r);
        }
        return rows;
    }

    /** Backward from {@code dLast} (T, hidden) at the last hidden state; gradients under {@code g} (this model's scope, {@link #scope()}). */
    void backward(Kernels k, TrainingState s, FloatTensor dLast, Gradients g);

    /** Registers every parameter under {@code p} (this model's scope). */
    void parameters(Parameters p);

    /** The word table (vocab, hidden), which a masked-LM head's decoder is tied to. */
    FloatTensor wordEmbeddings();

    /** transformers' attribute for this encoder in its task models, the prefix of its keys: {@code bert}, {@code roberta}, {@code distilbert}, {@code deberta}, {@code model}. */
    String scope();

    /** The word table's module under {@link #scope()}, where a tied decoder's gradient goes: {@code embeddings.word_embeddings} (ModernBERT's {@code embeddings.tok_embeddings}). */
    default String wordEmbeddingsKey() {
        return "embeddings.word_embeddings";
    }

    /** {@code encoder} as a trainable one, or the one-line refusal every task model gives for a family without a backward pass. */
    static TrainableEncoder of(Encoder encoder) {
        if (encoder instanceof TrainableEncoder e) return e;
        throw new IllegalArgumentException("training covers BERT, RoBERTa, XLM-RoBERTa, ELECTRA, DistilBERT, DeBERTa-v2/v3 and ModernBERT encoders; " + untrained(encoder));
    }

    /** "an ElectraForMaskedLM has no backward pass yet": the end of every refusal to train a model of a family without one. */
    static String untrained(Object model) {
        String name = model.getClass().getSimpleName();
        return ("AEIOU".indexOf(name.charAt(0)) >= 0 ? "an " : "a ") + name + " has no backward pass yet";
    }
}
