package dev.mlm4j.model;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.ElectraConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.embeddings.BertEmbeddings;
import dev.mlm4j.encoder.BertEncoder;
import dev.mlm4j.encoder.ForwardCapture;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code ElectraModel}: {@code ElectraEmbeddings} (BERT's, {@code embedding_size} wide: read by
 * {@link BertEmbeddings}) → {@code embeddings_project} to {@code hidden_size} when the widths differ → BERT's encoder
 * layers ({@link BertEncoder}). Keys {@code embeddings.*}, {@code embeddings_project.*}, {@code encoder.layer.N.*} under
 * {@code electra.}. Immutable and shared by all threads.
 */
public final class ElectraModel extends EncoderModel<ElectraConfig> {
    private final BertEmbeddings embeddings;
    private final Linear embeddingsProject;   // embedding_size → hidden_size; null when they are equal
    private final BertEncoder encoder;

    /**
     * @param electra the base model's scope ({@code electra})
     * @param project where {@code embeddings_project} is: under {@code electra} in a head's checkpoint; a bare
     *                ElectraModel's reader puts its embeddings and encoder under {@code bert.} but keeps this name as is
     */
    public ElectraModel(Weights electra, Weights project, ElectraConfig config, Precision precision) {
        super(config);
        this.embeddings = new BertEmbeddings(electra.prefix("embeddings"), config.embeddings());
        this.embeddingsProject = config.projected()
                ? Linear.load(project.prefix("embeddings_project"), config.embeddingSize(), config.hiddenSize(), precision) : null;
        this.encoder = new BertEncoder(electra.prefix("encoder"), config.encoder(), precision);
    }

    public BertEmbeddings embeddings() {
        return embeddings;
    }

    @Override
    protected FloatTensor embed(Kernels k, Batch batch) {
        FloatTensor x = embeddings.forward(k, batch);                       // (T, embedding_size)
        return embeddingsProject != null ? embeddingsProject.forward(k, x) : x; // (T, hidden)
    }

    @Override
    protected FloatTensor encode(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, ForwardCapture capture) {
        return encoder.forward(k, x, batch, mask, capture);
    }
}
