package dev.mlm4j.model;

import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.heads.BertLMPredictionHead;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code ModernBertForMaskedLM}: {@link ModernBertModel} (keys {@code model.*}), its
 * {@code ModernBertPredictionHead} ({@code head.*}) and {@code decoder}: logits = head(h) · Eᵀ + decoder.bias, with E
 * the token embeddings (tied; a saved {@code decoder.weight} is used if present) and the bias only with
 * {@code decoder_bias} (the default). The computation is BERT's masked-LM head's under these names
 * ({@link BertLMPredictionHead#modernBert}), and it trains as BERT's masked LM does ({@link TrainableMaskedLM}), the
 * head's keys at the model's root.
 */
public final class ModernBertForMaskedLM extends TrainableMaskedLM<ModernBertModel> {

    private ModernBertForMaskedLM(ModernBertModel model, BertLMPredictionHead head) {
        super(model, head, "");
    }

    public static ModernBertForMaskedLM load(TensorSource source, ModernBertConfig c, Precision precision) {
        ModernBertModel model = ModernBertModel.load(source, c, precision);
        return new ModernBertForMaskedLM(model, BertLMPredictionHead.modernBert(new Weights(source), c, model.embeddings().tokEmbeddings(), precision));
    }

    /** Whether a checkpoint carries the MLM head: {@code head.*} with {@code decoder.*} (classifiers have {@code head.*} too). */
    public static boolean hasHead(TensorSource source) {
        return source.containsAnyUnder("decoder.") || (source.containsAnyUnder("head.") && !source.containsAnyUnder("classifier."));
    }
}
