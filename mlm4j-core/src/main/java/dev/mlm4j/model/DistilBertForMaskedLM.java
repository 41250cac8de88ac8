package dev.mlm4j.model;

import dev.mlm4j.config.DistilBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.heads.RobertaLMHead;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code DistilBertForMaskedLM}: {@link DistilBertModel} (keys {@code distilbert.*}) and its MLM head,
 * {@code vocab_projector(vocab_layer_norm(gelu(vocab_transform(h))))}; {@code vocab_projector.weight} is tied to the
 * word embeddings ({@code save_pretrained} leaves it out), its bias is its own. The computation is
 * {@link RobertaLMHead}'s under these names.
 */
public final class DistilBertForMaskedLM extends EncoderWithLMHead<DistilBertModel> {

    private DistilBertForMaskedLM(DistilBertModel distilbert, RobertaLMHead head) {
        super(distilbert, head);
    }

    public static DistilBertForMaskedLM load(TensorSource source, DistilBertConfig c, Precision precision) {
        Weights root = new Weights(source);
        DistilBertModel distilbert = DistilBertFamily.model(source, c, precision);
        Weights projector = root.prefix("vocab_projector");
        return new DistilBertForMaskedLM(distilbert, RobertaLMHead.of(
                Linear.load(root.prefix("vocab_transform"), c.dim(), c.dim(), precision),
                LayerNorm.load(root.prefix("vocab_layer_norm"), c.dim(), DistilBertConfig.LAYER_NORM_EPS),
                RobertaLMHead.decoder(projector, c.dim(), distilbert.embeddings().wordEmbeddings()),
                projector.tensor("bias", c.vocabSize())));
    }

    /** Whether a checkpoint carries the MLM head: any {@code vocab_*} tensor (a missing one is then named at load). */
    public static boolean hasHead(TensorSource source) {
        return source.containsAnyUnder("vocab_transform.") || source.containsAnyUnder("vocab_projector.")
                || source.containsAnyUnder("vocab_layer_norm.");
    }
}
