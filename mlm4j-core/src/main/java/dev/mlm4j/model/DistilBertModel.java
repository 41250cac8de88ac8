package dev.mlm4j.model;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DistilBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.embeddings.DistilBertEmbeddings;
import dev.mlm4j.encoder.DistilBertTransformer;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code DistilBertModel}: embeddings (word + position, no token types) → {@code n_layers} post-norm
 * blocks with the seed's bidirectional attention; keys {@code embeddings.*}, {@code transformer.layer.N.*} under
 * {@code distilbert.}. No pooler. Immutable and shared by all threads, but for the training state's memory (one
 * training thread at a time). It trains with BERT's activation buffers ({@link TrainingState}, sized from
 * {@link DistilBertConfig#bertSizes()}) and its blocks' own backward passes.
 */
public final class DistilBertModel extends EncoderModel<DistilBertConfig> implements TrainableEncoder {
    private final DistilBertEmbeddings embeddings;
    private final DistilBertTransformer transformer;
    private final TrainingMemory memory;

    public DistilBertModel(Weights distilbert, DistilBertConfig config, Precision precision) {
        this(distilbert.prefix("embeddings"), distilbert.prefix("transformer"), config, precision);
    }

    /**
     * From the embeddings' and the transformer's scopes: a bare DistilBertModel's checkpoint has {@code embeddings.*}
     * (which the readers put under {@code bert.}) and {@code transformer.*} without a common prefix.
     */
    public DistilBertModel(Weights embeddings, Weights transformer, DistilBertConfig config, Precision precision) {
        DistilBertEmbeddings e = new DistilBertEmbeddings(embeddings, config);
        DistilBertTransformer t = new DistilBertTransformer(transformer, config, precision);
        super(config, e::forward, t::forward);
        this.embeddings = e;
        this.transformer = t;
        this.memory = new TrainingMemory(config.bertSizes());
    }

    public DistilBertEmbeddings embeddings() {
        return embeddings;
    }

    // ---- training ------------------------------------------------------------------------------------------

    /** As {@link BertModel#trainingState}: memory allocated for the first batch, grown for a larger one, else reused zero-filled. */
    @Override
    public TrainingState trainingState(Batch batch, Dropout dropout) {
        return memory.next(batch, dropout);
    }

    /** Embeddings, then every block under {@code mask}, saving activations in {@code s}; returns the last hidden state (T, dim). */
    @Override
    public FloatTensor forwardTraining(Kernels k, TrainingState s, AttentionMask mask) {
        checkLength(s.batch);
        embeddings.forwardTraining(k, s.batch, s.dropout.embeddings(), s.embeddingSum, s.hidden[0]);
        transformer.forwardTraining(k, s.hidden, s.batch, mask(mask), s.layers);
        return s.lastHiddenState();
    }

    /** Backward from {@code dLast} (T, dim); gradients under {@code g} (this model's scope, {@code distilbert}). */
    @Override
    public void backward(Kernels k, TrainingState s, FloatTensor dLast, Gradients g) {
        FloatTensor dEmbeddings = transformer.backward(k, s.hidden, s.batch, s.layers, dLast, g.prefix("transformer"));
        embeddings.backward(k, s.batch, s.embeddingSum, s.dropout.embeddings(), dEmbeddings, g.prefix("embeddings"));
    }

    @Override
    public void parameters(Parameters p) {
        embeddings.parameters(p.prefix("embeddings"));
        transformer.parameters(p.prefix("transformer"));
    }

    @Override
    public FloatTensor wordEmbeddings() {
        return embeddings.wordEmbeddings();
    }

    /** transformers' {@code distilbert} (a bare DistilBertModel's names are saved under it once trained). */
    @Override
    public String scope() {
        return "distilbert";
    }
}
