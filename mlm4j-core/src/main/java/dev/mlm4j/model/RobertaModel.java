package dev.mlm4j.model;

import dev.mlm4j.config.Precision;
import dev.mlm4j.config.RobertaConfig;
import dev.mlm4j.embeddings.RobertaEmbeddings;
import dev.mlm4j.encoder.BertEncoder;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code RobertaModel} (and {@code XLMRobertaModel}, the same modules): {@link RobertaEmbeddings} (BERT's
 * sum at RoBERTa's position ids) → BERT's encoder layers ({@link BertEncoder}: the same keys and math); keys
 * {@code embeddings.*}, {@code encoder.layer.N.*} under {@code roberta.}. The pooler is not loaded: no pipeline reads it
 * (RoBERTa's classifier has its own dense layer). Immutable and shared by all threads.
 */
public final class RobertaModel extends EncoderModel<RobertaConfig> {
    private final RobertaEmbeddings embeddings;

    public RobertaModel(Weights roberta, RobertaConfig config, Precision precision) {
        RobertaEmbeddings embeddings = new RobertaEmbeddings(roberta.prefix("embeddings"), config);
        BertEncoder encoder = new BertEncoder(roberta.prefix("encoder"), config.bert(), precision);
        super(config, embeddings::forward, encoder::forward);
        this.embeddings = embeddings;
    }

    public RobertaEmbeddings embeddings() {
        return embeddings;
    }
}
