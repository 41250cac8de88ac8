package dev.mlm4j.model;

import dev.mlm4j.config.DebertaV2Config;
import dev.mlm4j.config.Precision;
import dev.mlm4j.config.Batch;
import dev.mlm4j.heads.BertLMPredictionHead;
import dev.mlm4j.heads.RobertaLMHead;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.WeightException;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code DebertaV2ForMaskedLM}: {@link DebertaV2Model} and one of its two MLM heads, both
 * {@code LayerNorm(gelu(dense(h))) · Eᵀ + bias} with E the word embeddings (tied) — {@link RobertaLMHead}'s computation —
 * chosen by config.json's {@code legacy} as transformers chooses: {@code legacy} true (the default) reads
 * {@code cls.predictions.transform.{dense,LayerNorm}} and {@code cls.predictions.bias} (a saved
 * {@code cls.predictions.decoder.weight} is used if present); {@code legacy} false reads
 * {@code lm_predictions.lm_head.{dense,LayerNorm,bias}}, the layout of DeBERTa-v3's published checkpoints. Weights of
 * the other layout than the config names are a one-line error, not a random head. Both train as BERT's masked LM does
 * ({@link TrainableMaskedLM}: {@link BertLMPredictionHead#deberta}; the legacy one is BERT's head under BERT's keys,
 * {@link BertLMPredictionHead#narrow} over narrower embeddings).
 */
public final class DebertaV2ForMaskedLM extends EncoderWithLMHead<DebertaV2Model> implements Trainable {
    /** The {@code lm_predictions} head's training ({@link TrainableMaskedLM} under {@code lm_predictions.lm_head}); null for the legacy head. */
    private final Trainable training;

    private DebertaV2ForMaskedLM(DebertaV2Model deberta, RobertaLMHead head) {
        super(deberta, head);
        this.training = null;
    }

    /** A head that trains: BERT's computation under {@code headScope} ({@code lm_predictions.lm_head}, or the legacy {@code cls.predictions}). */
    private DebertaV2ForMaskedLM(DebertaV2Model deberta, BertLMPredictionHead head, String headScope) {
        super(deberta, head.inference());
        this.training = new TrainableMaskedLM<>(deberta, head, headScope) {};
    }

    public static DebertaV2ForMaskedLM load(TensorSource source, DebertaV2Config c, Precision precision) {
        DebertaV2Model deberta = DebertaV2Model.load(source, c, precision);
        Weights root = new Weights(source);
        String want = c.legacy() ? "cls.predictions." : "lm_predictions.lm_head.", other = c.legacy() ? "lm_predictions.lm_head." : "cls.predictions.";
        if (!source.containsAnyUnder(want) && source.containsAnyUnder(other)) {
            throw new WeightException(source.origin() + " has the masked-LM head under " + other + "* but config.json's \"legacy\": "
                    + c.legacy() + " names " + want + "* (set \"legacy\": " + !c.legacy() + " in config.json for these weights)");
        }
        int e = c.embeddingSize(), h = c.hiddenSize();
        FloatTensor words = deberta.embeddings().wordEmbeddings();
        if (c.legacy()) {
            Weights p = root.prefix("cls").prefix("predictions");
            if (p.has("bias")) {                              // BERT's BertLMPredictionHead under BERT's keys (over e-wide embeddings): it trains
                return new DebertaV2ForMaskedLM(deberta, e == h ? new BertLMPredictionHead(p, c.bertSizes(), words, precision)
                        : BertLMPredictionHead.narrow(p, c.bertSizes(), e, words, precision), "cls.predictions");
            }
            Linear dense = Linear.load(p.prefix("transform").prefix("dense"), h, e, precision);
            LayerNorm layerNorm = LayerNorm.load(p.prefix("transform").prefix("LayerNorm"), e, c.layerNormEps());
            Weights d = p.prefix("decoder");
            FloatTensor decoder = RobertaLMHead.decoder(d, e, words);
            return new DebertaV2ForMaskedLM(deberta, RobertaLMHead.of(dense, layerNorm, decoder,
                    p.has("bias") ? p.tensor("bias", c.vocabSize()) : d.tensor("bias", c.vocabSize())));
        }
        if (e != h) throw new WeightException("the lm_predictions head needs embedding_size = hidden_size, config.json has " + e + " and " + h);
        return new DebertaV2ForMaskedLM(deberta, BertLMPredictionHead.deberta(root.prefix("lm_predictions").prefix("lm_head"), c.bertSizes(), words, precision),
                "lm_predictions.lm_head");
    }

    // ---- training: as BERT's masked LM ----

    private Trainable training() {
        if (training == null) {
            throw new IllegalArgumentException("DeBERTa-v2's legacy masked-LM head with its bias under cls.predictions.decoder.bias (an older"
                    + " file) has no backward pass yet");
        }
        return training;
    }

    @Override
    public Parameters parameters() {
        return training().parameters();
    }

    @Override
    public double lossAndGradients(Kernels k, Batch batch, int[] labels, Gradients g) {
        return training().lossAndGradients(k, batch, labels, g);
    }

    @Override
    public double lossAndGradients(Kernels k, Batch batch, int[] labels, Gradients g, Dropout dropout) {
        return training().lossAndGradients(k, batch, labels, g, dropout);
    }

    /** Whether a checkpoint carries an MLM head of either layout (a missing tensor is then named at load). */
    public static boolean hasHead(TensorSource source) {
        return source.containsAnyUnder("lm_predictions.") || source.containsAnyUnder("cls.predictions.");
    }
}
