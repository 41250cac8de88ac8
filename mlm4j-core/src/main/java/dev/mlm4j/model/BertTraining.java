package dev.mlm4j.model;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.embeddings.BertEmbeddings;
import dev.mlm4j.encoder.BertEncoder;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;

import java.util.function.Function;

/**
 * The training forward and backward of BERT's embeddings and layers, which {@link BertModel}, {@link RobertaModel} and
 * {@link ElectraModel} share: they differ only in the position ids ({@code positions}: BERT's count from 0, RoBERTa's
 * from {@code pad_token_id + 1}), which the embeddings' forward reads and their backward adds into, and ELECTRA's
 * {@code embeddings_project} (embedding_size → hidden_size) between the embeddings and the layers. Holds the memory of
 * the training states it hands out (llm.c's activation buffers sized once).
 */
final class BertTraining {
    private final BertEmbeddings embeddings;
    private final BertEncoder encoder;
    private final BertConfig config;
    private final Function<Batch, int[]> positions;
    private final Linear project;              // ELECTRA's embeddings_project, or null: the embeddings are hidden_size wide
    private final TrainingMemory memory;
    /** With a projection: the embeddings' sum before LayerNorm and their output, (capacity, embedding_size) each. */
    private FloatTensor projectedSum, projectedInput;

    BertTraining(BertEmbeddings embeddings, BertEncoder encoder, BertConfig config, Function<Batch, int[]> positions) {
        this(embeddings, null, encoder, config, positions);
    }

    /** @param project embedding_size → hidden_size between the embeddings and the layers, or null */
    BertTraining(BertEmbeddings embeddings, Linear project, BertEncoder encoder, BertConfig config, Function<Batch, int[]> positions) {
        this.embeddings = embeddings;
        this.project = project;
        this.encoder = encoder;
        this.config = config;
        this.positions = positions;
        this.memory = new TrainingMemory(config);
    }

    /**
     * The state of one training step of {@code batch} under {@code dropout}: allocated for the first batch, replaced by a
     * larger one when a batch has more tokens than it holds (never shrunk), otherwise reused, zero-filled
     * ({@link TrainingState#reuse}). Valid until the next call.
     */
    TrainingState state(Batch batch, Dropout dropout) {
        if (project != null && (projectedSum == null || projectedSum.dim(0) < batch.tokens())) {
            projectedSum = FloatTensor.zeros(batch.tokens(), project.in());
            projectedInput = FloatTensor.zeros(batch.tokens(), project.in());
        }
        return memory.next(batch, dropout);
    }

    /**
     * Embeddings (and the projection), then every layer under {@code mask} (the model's own, already resolved), saving
     * activations in {@code s}; with {@code rows} (distinct, or null) the last layer's output only there
     * ({@link BertEncoder#forwardTraining(Kernels, FloatTensor[], Batch, AttentionMask, dev.mlm4j.encoder.LayerActivations[], int[])}).
     */
    FloatTensor forward(Kernels k, TrainingState s, AttentionMask mask, int[] rows) {
        int[] pos = positions.apply(s.batch);
        if (project == null) {
            embeddings.forwardTraining(k, s.batch, pos, s.dropout.embeddings(), s.embeddingSum, s.hidden[0]);
        } else {                                             // ElectraEmbeddings (dropout included), then embeddings_project
            FloatTensor sum = projectedSum.slice(0, s.batch.tokens()), in = projectedInput.slice(0, s.batch.tokens());
            embeddings.forwardTraining(k, s.batch, pos, s.dropout.embeddings(), sum, in);
            project.forwardInto(k, in, s.hidden[0]);
        }
        encoder.forwardTraining(k, s.hidden, s.batch, mask, s.layers, rows);
        return s.lastHiddenState();
    }

    void backward(Kernels k, TrainingState s, FloatTensor dLast, Gradients g) {
        FloatTensor dEmbeddings = encoder.backward(k, s.hidden, s.batch, s.layers, dLast, g.prefix("encoder"));
        int[] pos = positions.apply(s.batch);
        if (project == null) {
            embeddings.backward(k, s.batch, pos, s.embeddingSum, s.dropout.embeddings(), dEmbeddings, g.prefix("embeddings"));
        } else {
            FloatTensor sum = projectedSum.slice(0, s.batch.tokens()), in = projectedInput.slice(0, s.batch.tokens());
            FloatTensor dIn = FloatTensor.zeros(s.batch.tokens(), project.in());
            project.backward(k, in, dEmbeddings, dIn, false, g.prefix("embeddings_project"));
            embeddings.backward(k, s.batch, pos, sum, s.dropout.embeddings(), dIn, g.prefix("embeddings"));
        }
    }
}
