package dev.mlm4j.model;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DebertaV2Config;
import dev.mlm4j.config.Precision;
import dev.mlm4j.embeddings.DebertaV2Embeddings;
import dev.mlm4j.encoder.DebertaV2Encoder;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code DebertaV2Model}: {@link DebertaV2Embeddings} → {@link DebertaV2Encoder} (post-norm layers with
 * disentangled relative-position attention); keys {@code embeddings.*}, {@code encoder.*} under {@code deberta.} (a bare
 * model's unprefixed keys arrive as {@code bert.*}, mlm4j's canonical base prefix). No pooler. Immutable and shared, but
 * for the training state's memory (one training thread at a time). It trains with BERT's activation buffers
 * ({@link TrainingState}, sized from {@link DebertaV2Config#bertSizes()}) and its layers' own backward passes.
 */
public final class DebertaV2Model extends EncoderModel<DebertaV2Config> implements TrainableEncoder {
    private final DebertaV2Embeddings embeddings;
    private final DebertaV2Encoder encoder;
    private final TrainingMemory memory;
    /** What the last training forward's relative attention and convolution saved, for its backward. */
    private DebertaV2Encoder.Saved saved;
    /** The last training forward's embeddings before embed_proj (T, embedding_size), or its embeddingSum without embed_proj. */
    private FloatTensor embeddingInput;

    public DebertaV2Model(Weights deberta, DebertaV2Config config, Precision precision) {
        DebertaV2Embeddings embeddings = new DebertaV2Embeddings(deberta.prefix("embeddings"), config, precision);
        DebertaV2Encoder encoder = new DebertaV2Encoder(deberta.prefix("encoder"), config, precision);
        super(config, embeddings::forward, encoder::forward);
        this.embeddings = embeddings;
        this.encoder = encoder;
        this.memory = new TrainingMemory(config.bertSizes());
    }

    /** The base model's scope in {@code source}: {@code deberta} (any DebertaV2For…), else {@code bert} (a bare DebertaV2Model). */
    static Weights base(TensorSource source) {
        return new Weights(source).prefix(FamilyChecks.basePrefix(source, "deberta"));
    }

    public static DebertaV2Model load(TensorSource source, DebertaV2Config config, Precision precision) {
        return new DebertaV2Model(base(source), config, precision);
    }

    public DebertaV2Embeddings embeddings() {
        return embeddings;
    }

    @Override
    protected void checkLength(Batch batch) {
        if (config.positionBiasedInput()) super.checkLength(batch);   // relative positions: no table to run past
    }

    // ---- training ------------------------------------------------------------------------------------------

    /** As {@link BertModel#trainingState}: memory allocated for the first batch, grown for a larger one, else reused zero-filled. */
    @Override
    public TrainingState trainingState(Batch batch, Dropout dropout) {
        return memory.next(batch, dropout);
    }

    /** Embeddings, then every layer under {@code mask}, saving activations in {@code s}; returns the last hidden state (T, hidden). */
    @Override
    public FloatTensor forwardTraining(Kernels k, TrainingState s, AttentionMask mask) {
        checkLength(s.batch);
        boolean projected = config.embeddingSize() != config.hiddenSize();
        embeddingInput = projected ? FloatTensor.zeros(s.batch.tokens(), config.embeddingSize()) : s.embeddingSum;
        embeddings.forwardTraining(k, s.batch, s.dropout.embeddings(), embeddingInput, s.embeddingSum, s.hidden[0]);
        saved = encoder.forwardTraining(k, s.hidden, s.batch, mask(mask), s.layers, s.dropout);
        return s.lastHiddenState();
    }

    /** Backward from {@code dLast} (T, hidden); gradients under {@code g} (this model's scope, {@code deberta}). */
    @Override
    public void backward(Kernels k, TrainingState s, FloatTensor dLast, Gradients g) {
        FloatTensor dEmbeddings = encoder.backward(k, s.hidden, s.batch, s.layers, saved, dLast, g.prefix("encoder"));
        embeddings.backward(k, s.batch, embeddingInput, s.embeddingSum, s.dropout.embeddings(), dEmbeddings, g.prefix("embeddings"));
    }

    @Override
    public void parameters(Parameters p) {
        embeddings.parameters(p.prefix("embeddings"));
        encoder.parameters(p.prefix("encoder"));
    }

    @Override
    public FloatTensor wordEmbeddings() {
        return embeddings.wordEmbeddings();
    }

    /** transformers' {@code deberta} (a bare DebertaV2Model's names are saved under it once trained). */
    @Override
    public String scope() {
        return "deberta";
    }
}
