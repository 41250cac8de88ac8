package dev.mlm4j.model;

import dev.mlm4j.config.ElectraConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.embeddings.BertEmbeddings;
import dev.mlm4j.encoder.BertEncoder;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code ElectraModel}: {@code ElectraEmbeddings} (BERT's, {@code embedding_size} wide: read by
 * {@link BertEmbeddings}) → {@code embeddings_project} to {@code hidden_size} when the widths differ → BERT's encoder
 * layers ({@link BertEncoder}). Keys {@code embeddings.*}, {@code embeddings_project.*}, {@code encoder.layer.N.*} under
 * {@code electra.}. Immutable and shared by all threads.
 */
public final class ElectraModel extends EncoderModel<ElectraConfig> {
    private final BertEmbeddings embeddings;

    /**
     * @param electra the base model's scope ({@code electra})
     * @param project where {@code embeddings_project} is: under {@code electra} in a head's checkpoint; a bare
     *                ElectraModel's reader puts its embeddings and encoder under {@code bert.} but keeps this name as is
     */
    public ElectraModel(Weights electra, Weights project, ElectraConfig config, Precision precision) {
        BertEmbeddings embeddings = new BertEmbeddings(electra.prefix("embeddings"), config.embeddings());
        Linear embeddingsProject = config.projected()            // embedding_size → hidden_size; null when they are equal
                ? Linear.load(project.prefix("embeddings_project"), config.embeddingSize(), config.hiddenSize(), precision) : null;
        BertEncoder encoder = new BertEncoder(electra.prefix("encoder"), config.encoder(), precision);
        super(config, embeddingsProject == null ? embeddings::forward
                : (k, batch) -> embeddingsProject.forward(k, embeddings.forward(k, batch)),   // (T, embedding_size) → (T, hidden)
                encoder::forward);
        this.embeddings = embeddings;
    }

    public BertEmbeddings embeddings() {
        return embeddings;
    }
}
