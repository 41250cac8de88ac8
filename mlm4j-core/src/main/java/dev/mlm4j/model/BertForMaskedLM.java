package dev.mlm4j.model;

import dev.mlm4j.config.BertConfig;
import dev.mlm4j.heads.BertLMPredictionHead;
import dev.mlm4j.config.Precision;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.Weights;

/** BertModel + the masked-LM head: transformers' {@code BertForMaskedLM} (keys {@code bert.*}, {@code cls.predictions.*}). */
public final class BertForMaskedLM extends TrainableMaskedLM<BertModel> {

    public BertForMaskedLM(BertModel bert, BertLMPredictionHead head) {
        super(bert, head, "cls.predictions");
    }

    /** {@link #load(TensorSource, BertConfig, Precision)} at the process default {@link Precision#fromProperty()}. */
    public static BertForMaskedLM load(TensorSource source, BertConfig config) {
        return load(source, config, Precision.fromProperty());
    }

    /** Loads the model and its head with the linear layers stored at {@code precision}. */
    public static BertForMaskedLM load(TensorSource source, BertConfig config, Precision precision) {
        Weights root = new Weights(source);
        BertModel bert = new BertModel(root.prefix("bert"), config, false, precision);   // no pooler, as in transformers
        return new BertForMaskedLM(bert, new BertLMPredictionHead(root.prefix("cls").prefix("predictions"), config,
                bert.embeddings().wordEmbeddings(), precision));
    }

    /**
     * Whether a checkpoint carries the masked-LM head: any {@code cls.predictions.*} tensor says it does, so a head
     * with a tensor missing is loaded (and {@link #load} names the missing tensor) instead of being taken for no head.
     */
    public static boolean hasHead(TensorSource source) {
        return source.containsAnyUnder("cls.predictions.");
    }

    /**
     * The one wording of "this model cannot fill masks", for every caller that needs the head ({@code instead}: what
     * the user can do with the model, e.g. "use it for embeddings instead").
     */
    public static IllegalArgumentException noHead(String model, String instead) {
        return new IllegalArgumentException("model '" + model + "' has no masked-language-model head (no cls.predictions.* tensors): "
                + instead);
    }

    public BertModel bert() {
        return encoder();
    }
}
