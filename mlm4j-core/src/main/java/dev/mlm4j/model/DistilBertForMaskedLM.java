package dev.mlm4j.model;

import dev.mlm4j.config.DistilBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.heads.BertLMPredictionHead;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code DistilBertForMaskedLM}: {@link DistilBertModel} (keys {@code distilbert.*}) and its MLM head,
 * {@code vocab_projector(vocab_layer_norm(gelu(vocab_transform(h))))}; {@code vocab_projector.weight} is tied to the
 * word embeddings ({@code save_pretrained} leaves it out), its bias is its own. The computation is BERT's masked-LM
 * head's under these names ({@link BertLMPredictionHead#distilbert}), and it trains as BERT's masked LM does
 * ({@link TrainableMaskedLM}), the head's keys at the model's root.
 */
public final class DistilBertForMaskedLM extends TrainableMaskedLM<DistilBertModel> {

    private DistilBertForMaskedLM(DistilBertModel distilbert, BertLMPredictionHead head) {
        super(distilbert, head, "");
    }

    public static DistilBertForMaskedLM load(TensorSource source, DistilBertConfig c, Precision precision) {
        DistilBertModel distilbert = DistilBertFamily.model(source, c, precision);
        return new DistilBertForMaskedLM(distilbert,
                BertLMPredictionHead.distilbert(new Weights(source), c.bertSizes(), distilbert.embeddings().wordEmbeddings(), precision));
    }

    /** Whether a checkpoint carries the MLM head: any {@code vocab_*} tensor (a missing one is then named at load). */
    public static boolean hasHead(TensorSource source) {
        return source.containsAnyUnder("vocab_transform.") || source.containsAnyUnder("vocab_projector.")
                || source.containsAnyUnder("vocab_layer_norm.");
    }
}
