package dev.mlm4j.model;

import dev.mlm4j.config.Precision;
import dev.mlm4j.config.RobertaConfig;
import dev.mlm4j.embeddings.RobertaEmbeddings;
import dev.mlm4j.encoder.BertEncoder;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code RobertaModel} (and {@code XLMRobertaModel}, the same modules): {@link RobertaEmbeddings} (BERT's
 * sum at RoBERTa's position ids) → BERT's encoder layers ({@link BertEncoder}: the same keys and math); keys
 * {@code embeddings.*}, {@code encoder.layer.N.*} under {@code roberta.}. The pooler is not loaded: no pipeline reads it
 * (RoBERTa's classifier has its own dense layer). Immutable and shared by all threads.
 */
public final class RobertaModel extends BertLayersModel<RobertaConfig> {
    private final RobertaEmbeddings embeddings;
    private final BertEncoder encoder;

    public RobertaModel(Weights roberta, RobertaConfig config, Precision precision) {
        RobertaEmbeddings embeddings = new RobertaEmbeddings(roberta.prefix("embeddings"), config);
        BertEncoder encoder = new BertEncoder(roberta.prefix("encoder"), config.bert(), precision);
        super(config, embeddings::forward, encoder::forward, new BertTraining(embeddings.bert(), encoder, config.bert(), embeddings::positionIds));
        this.embeddings = embeddings;
        this.encoder = encoder;
    }

    public RobertaEmbeddings embeddings() {
        return embeddings;
    }

    // ---- training: BERT's, at RoBERTa's positions (BertLayersModel) --------------------------------------

    /** The embeddings and the layers under {@code p} (this model's scope, {@code roberta}); the pooler is not loaded. */
    @Override
    public void parameters(Parameters p) {
        embeddings.bert().parameters(p.prefix("embeddings"));
        encoder.parameters(p.prefix("encoder"));
    }

    @Override
    public FloatTensor wordEmbeddings() {
        return embeddings.wordEmbeddings();
    }

    /** transformers' {@code roberta} for both RoBERTa and XLM-RoBERTa (XLMRobertaFor… keeps the attribute name). */
    @Override
    public String scope() {
        return "roberta";
    }
}
