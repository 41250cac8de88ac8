package dev.mlm4j.model;

import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.heads.ModernBertPredictionHead;
import dev.mlm4j.heads.RobertaLMHead;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code ModernBertForMaskedLM}: {@link ModernBertModel} (keys {@code model.*}), {@link ModernBertPredictionHead}
 * ({@code head.*}) and {@code decoder}: logits = head(h) · Eᵀ + decoder.bias, with E the token embeddings (tied; a saved
 * {@code decoder.weight} is used if present) and the bias only with {@code decoder_bias} (the default).
 */
public final class ModernBertForMaskedLM extends EncoderWithLMHead<ModernBertModel> {

    private ModernBertForMaskedLM(ModernBertModel model, RobertaLMHead head) {
        super(model, head);
    }

    public static ModernBertForMaskedLM load(TensorSource source, ModernBertConfig c, Precision precision) {
        Weights root = new Weights(source);
        ModernBertModel model = ModernBertModel.load(source, c, precision);
        ModernBertPredictionHead head = new ModernBertPredictionHead(root.prefix("head"), c, precision);
        Weights d = root.prefix("decoder");
        return new ModernBertForMaskedLM(model, head.lmHead(
                RobertaLMHead.decoder(d, c.hiddenSize(), model.embeddings().tokEmbeddings()),
                c.decoderBias() ? d.tensor("bias", c.vocabSize()) : null));
    }

    /** Whether a checkpoint carries the MLM head: {@code head.*} with {@code decoder.*} (classifiers have {@code head.*} too). */
    public static boolean hasHead(TensorSource source) {
        return source.containsAnyUnder("decoder.") || (source.containsAnyUnder("head.") && !source.containsAnyUnder("classifier."));
    }
}
