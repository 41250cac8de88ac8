package dev.mlm4j.model;

import dev.mlm4j.config.Batch;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Parameters;
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
public final class ElectraModel extends BertLayersModel<ElectraConfig> {
    private final BertEmbeddings embeddings;
    private final Linear embeddingsProject;   // null when embedding_size is hidden_size
    private final BertEncoder encoder;

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
                encoder::forward, new BertTraining(embeddings, embeddingsProject, encoder, config.encoder(), Batch::positions));
        this.embeddings = embeddings;
        this.embeddingsProject = embeddingsProject;
        this.encoder = encoder;
    }

    public BertEmbeddings embeddings() {
        return embeddings;
    }

    // ---- training: BERT's, with the projection between the embeddings and the layers (BertLayersModel) ----

    /** The embeddings, {@code embeddings_project} when there is one, and the layers, under {@code p} (this model's scope, {@code electra}). */
    @Override
    public void parameters(Parameters p) {
        embeddings.parameters(p.prefix("embeddings"));
        if (embeddingsProject != null) embeddingsProject.parameters(p.prefix("embeddings_project"));
        encoder.parameters(p.prefix("encoder"));
    }

    @Override
    public FloatTensor wordEmbeddings() {
        return embeddings.wordEmbeddings();
    }

    @Override
    public String scope() {
        return "electra";
    }
}
