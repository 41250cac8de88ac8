package dev.mlm4j.model;

import dev.mlm4j.config.DistilBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.embeddings.DistilBertEmbeddings;
import dev.mlm4j.encoder.DistilBertTransformer;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code DistilBertModel}: embeddings (word + position, no token types) → {@code n_layers} post-norm
 * blocks with the seed's bidirectional attention; keys {@code embeddings.*}, {@code transformer.layer.N.*} under
 * {@code distilbert.}. No pooler. Immutable and shared by all threads.
 */
public final class DistilBertModel extends EncoderModel<DistilBertConfig> {
    private final DistilBertEmbeddings embeddings;

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
    }

    public DistilBertEmbeddings embeddings() {
        return embeddings;
    }
}
