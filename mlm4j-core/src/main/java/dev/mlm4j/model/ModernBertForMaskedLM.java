package dev.mlm4j.model;

import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.heads.ModernBertPredictionHead;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code ModernBertForMaskedLM}: {@link ModernBertModel} (keys {@code model.*}), {@link ModernBertPredictionHead}
 * ({@code head.*}) and {@code decoder}: logits = head(h) · Eᵀ + decoder.bias, with E the token embeddings (tied; a saved
 * {@code decoder.weight} is used if present) and the bias only with {@code decoder_bias} (the default).
 */
public final class ModernBertForMaskedLM implements MaskedLanguageModel {
    private final ModernBertModel model;
    private final ModernBertPredictionHead head;
    private final FloatTensor decoder; // (vocab, hidden)
    private final FloatTensor bias;    // (vocab) or null

    private ModernBertForMaskedLM(TensorSource source, ModernBertConfig c, Precision precision) {
        Weights root = new Weights(source);
        this.model = ModernBertModel.load(source, c, precision);
        this.head = new ModernBertPredictionHead(root.prefix("head"), c, precision);
        Weights d = root.prefix("decoder");
        this.decoder = d.has("weight") ? d.tensor("weight", c.vocabSize(), c.hiddenSize()) : model.embeddings().tokEmbeddings();
        this.bias = c.decoderBias() ? d.tensor("bias", c.vocabSize()) : null;
    }

    public static ModernBertForMaskedLM load(TensorSource source, ModernBertConfig config, Precision precision) {
        return new ModernBertForMaskedLM(source, config, precision);
    }

    /** Whether a checkpoint carries the MLM head: {@code head.*} with {@code decoder.*} (classifiers have {@code head.*} too). */
    public static boolean hasHead(TensorSource source) {
        return source.containsAnyUnder("decoder.") || (source.containsAnyUnder("head.") && !source.containsAnyUnder("classifier."));
    }

    @Override
    public ModernBertModel encoder() {
        return model;
    }

    @Override
    public int vocabSize() {
        return decoder.dim(0);
    }

    @Override
    public FloatTensor logits(EncoderOutput output, int[] rows) {
        Kernels k = Kernels.get();
        FloatTensor t = head.forward(k, output.lastHiddenRows(rows));
        return MaskedLanguageModel.decode(k, t, decoder, bias);
    }
}
