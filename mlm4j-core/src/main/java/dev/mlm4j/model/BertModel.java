package dev.mlm4j.model;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.embeddings.BertEmbeddings;
import dev.mlm4j.encoder.BertEncoder;
import dev.mlm4j.heads.BertPooler;
import dev.mlm4j.config.Precision;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

/**
 * The encoder: embeddings → N × (self-attention → feed-forward), plus the pooler when the
 * checkpoint has one. transformers' {@code BertModel}; keys under {@code bert.}. Immutable and shared by
 * all threads: a forward pass allocates its hidden state (T, hidden), which it returns, and borrows the layers'
 * workspace ({@code LayerState}) from the encoder, or allocates one when another thread holds it. Attention is
 * bidirectional unless the caller asks for the causal mask, or the config says {@code is_decoder} (then always causal).
 */
public final class BertModel extends BertLayersModel<BertConfig> {
    private final BertEmbeddings embeddings;
    private final BertEncoder encoder;
    private final BertPooler pooler; // null when the checkpoint has none
    private final boolean quantizesPerPass;

    /** With the pooler when the checkpoint has one; linear layers at the process default {@link Precision#fromProperty()}. */
    public BertModel(Weights bert, BertConfig config) {
        this(bert, config, true, Precision.fromProperty());
    }

    /** With the pooler when the checkpoint has one; linear layers stored at {@code precision}. */
    public BertModel(Weights bert, BertConfig config, Precision precision) {
        this(bert, config, true, precision);
    }

    /**
     * @param addPoolingLayer load the pooler if the checkpoint has one; false as in transformers'
     *                        {@code BertModel(config, add_pooling_layer=False)}, which BertForMaskedLM builds: its
     *                        logits never read the pooler, so its 768 × 768 weights would only take memory
     * @param precision       how the linear layers store their weights (the embeddings stay fp32)
     */
    public BertModel(Weights bert, BertConfig config, boolean addPoolingLayer, Precision precision) {
        BertEmbeddings embeddings = new BertEmbeddings(bert.prefix("embeddings"), config);
        BertEncoder encoder = new BertEncoder(bert.prefix("encoder"), config, precision);
        super(config, embeddings::forward, encoder::forward, new BertTraining(embeddings, encoder, config, Batch::positions));
        this.embeddings = embeddings;
        this.encoder = encoder;
        this.quantizesPerPass = bert.source().names().stream().anyMatch(bert.source()::quantizesInput);
        this.pooler = addPoolingLayer && bert.has("pooler.dense.weight") ? new BertPooler(bert.prefix("pooler"), config, precision) : null;
    }

    public BertEmbeddings embeddings() {
        return embeddings;
    }

    public BertPooler pooler() {
        return pooler;
    }

    @Override
    public boolean quantizesPerPass() {
        return quantizesPerPass;
    }

    /**
     * The mask every layer applies: causal for a decoder ({@code is_decoder} true), whatever was asked, as transformers'
     * {@code get_extended_attention_mask} makes it for {@code config.is_decoder}; else {@code asked}.
     */
    @Override
    protected AttentionMask mask(AttentionMask asked) {
        return config.isDecoder() && asked.direction() != AttentionMask.Direction.CAUSAL
                ? new AttentionMask(AttentionMask.Direction.CAUSAL, asked.validKeys()) : asked;
    }

    // ---- training ------------------------------------------------------------------------------------------

    @Override
    public FloatTensor wordEmbeddings() {
        return embeddings.wordEmbeddings();
    }

    @Override
    public String scope() {
        return "bert";
    }

    /** Registers every parameter under {@code p} (this model's scope, {@code bert}): embeddings, encoder, pooler if loaded. */
    @Override
    public void parameters(Parameters p) {
        embeddings.parameters(p.prefix("embeddings"));
        encoder.parameters(p.prefix("encoder"));
        if (pooler != null) pooler.parameters(p.prefix("pooler"));
    }
}
