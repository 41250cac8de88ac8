package dev.mlm4j.heads;

import dev.mlm4j.kernels.Epilogue;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.PackedMatrix;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

/**
 * The masked-language-model head: transformers' {@code BertLMPredictionHead} (keys {@code cls.predictions.*}):
 * transform = LayerNorm(GELU(dense(h))), then logits = transform · Eᵀ + bias with the decoder E tied to the
 * word embeddings. Logits are computed only for the rows asked for (the masked positions), so a 119,547-word
 * vocabulary costs one (m, hidden) × (hidden, vocab) product, not one per token. At inference this is
 * {@link RobertaLMHead}'s computation on the same tensors ({@link #inference()}); what this class adds is training.
 */
public final class BertLMPredictionHead {
    private final Linear transformDense;      // hidden → hidden
    private final LayerNorm transformLayerNorm;
    private final FloatTensor decoder;        // (vocab, hidden), tied to bert.embeddings.word_embeddings
    private final FloatTensor bias;           // (vocab), or null (ModernBERT without decoder_bias)
    private final String denseKey, layerNormKey;   // under the head's scope: BERT's transform.dense, RoBERTa's dense
    private final String decoderKey, biasKey;      // BERT's and RoBERTa's decoder, bias; DistilBERT's vocab_projector, vocab_projector.bias
    private final RobertaLMHead inference;    // the same layers and tensors (an optimiser step updates them in place)

    /** The transform's dense layer is stored at {@code precision}; the tied decoder stays fp32, as the embeddings are. */
    public BertLMPredictionHead(Weights predictions, BertConfig c, FloatTensor wordEmbeddings, Precision precision) {
        this(predictions, "transform.dense", "transform.LayerNorm", "decoder", "bias", predictions.tensor("bias", c.vocabSize()), c,
                c.hiddenSize(), wordEmbeddings, precision);
    }

    /**
     * BERT's head under BERT's keys over embeddings {@code width} wide (the transform hidden → width, the decoder
     * (vocab, width)): DeBERTa's legacy head ({@code LegacyDebertaV2LMPredictionHead}) when embedding_size differs from
     * hidden_size.
     */
    public static BertLMPredictionHead narrow(Weights predictions, BertConfig c, int width, FloatTensor wordEmbeddings, Precision precision) {
        return new BertLMPredictionHead(predictions, "transform.dense", "transform.LayerNorm", "decoder", "bias",
                predictions.tensor("bias", c.vocabSize()), c, width, wordEmbeddings, precision);
    }

    private BertLMPredictionHead(Weights scope, String denseKey, String layerNormKey, String decoderKey, String biasKey, FloatTensor bias,
                                 BertConfig c, int width, FloatTensor wordEmbeddings, Precision precision) {
        this(Linear.load(scope.prefix(denseKey), c.hiddenSize(), width, precision),
                LayerNorm.load(scope.prefix(layerNormKey), width, c.layerNormEps()),
                RobertaLMHead.decoder(scope.prefix(decoderKey), width, wordEmbeddings), bias, denseKey, layerNormKey, decoderKey, biasKey);
    }

    private BertLMPredictionHead(Linear dense, LayerNorm layerNorm, FloatTensor decoder, FloatTensor bias, String denseKey, String layerNormKey,
                                 String decoderKey, String biasKey) {
        this.denseKey = denseKey;
        this.layerNormKey = layerNormKey;
        this.decoderKey = decoderKey;
        this.biasKey = biasKey;
        this.transformDense = dense;
        this.transformLayerNorm = layerNorm;
        this.decoder = decoder;
        this.bias = bias;
        this.inference = RobertaLMHead.of(transformDense, transformLayerNorm, decoder, bias);
    }

    /**
     * transformers' {@code ModernBertForMaskedLM} head, at the model's root: {@code decoder(head(h))} with
     * {@code head} its {@code ModernBertPredictionHead} ({@code head.dense}, GELU, {@code head.norm}; biases only with
     * {@code classifier_bias}/{@code norm_bias}), {@code decoder.weight} tied to the token embeddings (a saved one is
     * used if present) and {@code decoder.bias} only with {@code decoder_bias}: the same computation as BERT's.
     */
    public static BertLMPredictionHead modernBert(Weights root, ModernBertConfig c, FloatTensor wordEmbeddings, Precision precision) {
        int h = c.hiddenSize();
        Weights head = root.prefix("head"), decoder = root.prefix("decoder");
        return new BertLMPredictionHead(Linear.load(head.prefix("dense"), h, h, c.classifierBias(), precision),
                LayerNorm.load(head.prefix("norm"), h, c.normEps(), c.normBias()), RobertaLMHead.decoder(decoder, h, wordEmbeddings),
                c.decoderBias() ? decoder.tensor("bias", c.vocabSize()) : null, "head.dense", "head.norm", "decoder", "decoder.bias");
    }

    /**
     * transformers' {@code RobertaLMHead} (RoBERTa's and XLM-RoBERTa's {@code lm_head}): the same computation under the
     * keys {@code dense}, {@code layer_norm}, {@code decoder} and {@code bias} ({@code decoder.bias} in older files: the
     * same tensor), so RoBERTa's masked LM trains with this class too.
     */
    public static BertLMPredictionHead roberta(Weights lmHead, BertConfig c, FloatTensor wordEmbeddings, Precision precision) {
        int vocab = wordEmbeddings.dim(0);
        FloatTensor bias = lmHead.has("bias") ? lmHead.tensor("bias", vocab) : lmHead.prefix("decoder").tensor("bias", vocab);
        return new BertLMPredictionHead(lmHead, "dense", "layer_norm", "decoder", "bias", bias, c, c.hiddenSize(), wordEmbeddings, precision);
    }

    /**
     * transformers' {@code DistilBertForMaskedLM} head, at the model's root: the same computation under the keys
     * {@code vocab_transform}, {@code vocab_layer_norm}, {@code vocab_projector} (weight tied to the word embeddings)
     * and {@code vocab_projector.bias}; {@code c} is DistilBERT's sizes as BERT's ({@code DistilBertConfig.bertSizes()}).
     */
    public static BertLMPredictionHead distilbert(Weights root, BertConfig c, FloatTensor wordEmbeddings, Precision precision) {
        FloatTensor bias = root.prefix("vocab_projector").tensor("bias", c.vocabSize());
        return new BertLMPredictionHead(root, "vocab_transform", "vocab_layer_norm", "vocab_projector", "vocab_projector.bias", bias, c,
                c.hiddenSize(), wordEmbeddings, precision);
    }

    /**
     * transformers' {@code DebertaV2LMPredictionHead} (DeBERTa-v3's {@code lm_predictions.lm_head}): the same computation
     * under the keys {@code dense}, {@code LayerNorm} and {@code bias}, the decoder the word embeddings themselves.
     */
    public static BertLMPredictionHead deberta(Weights lmHead, BertConfig c, FloatTensor wordEmbeddings, Precision precision) {
        return new BertLMPredictionHead(lmHead, "dense", "LayerNorm", "decoder", "bias", lmHead.tensor("bias", wordEmbeddings.dim(0)), c,
                c.hiddenSize(), wordEmbeddings, precision);
    }

    /** The decoder's width: hidden_size, or the narrower embeddings' ({@link #narrow}). */
    public int width() {
        return decoder.dim(1);
    }

    public int vocabSize() {
        return decoder.dim(0);
    }

    /** The decoder's key under the head's scope ({@code decoder}, DistilBERT's {@code vocab_projector}): where an untied decoder's gradient goes. */
    public String decoderKey() {
        return decoderKey;
    }

    /** The inference forward: LayerNorm(gelu(dense(h))) · Eᵀ + bias on this head's own layers and tensors. */
    public RobertaLMHead inference() {
        return inference;
    }

    /** h (m, hidden) at the positions to predict → logits (m, vocab). */
    public FloatTensor forward(Kernels k, FloatTensor h) {
        return inference.forward(k, h);
    }

    // ---- training ------------------------------------------------------------------------------------------

    /** What the training forward saves, for m rows: the input h, dense(h) before GELU, GELU's output (the LayerNorm's input), t, the logits. */
    public record Saved(FloatTensor h, FloatTensor pre, FloatTensor act, FloatTensor t, FloatTensor logits) {}

    /** The training forward on h (m, hidden), the rows that carry a label: the same logits (m, vocab), saving what the backward needs. */
    public Saved forwardTraining(Kernels k, FloatTensor h) {
        int m = h.dim(0);
        FloatTensor pre = transformDense.forwardInto(k, h, FloatTensor.zeros(m, transformDense.out()));
        FloatTensor act = pre.copy();
        k.gelu(act);
        FloatTensor t = act.copy();
        transformLayerNorm.forward(k, t);
        FloatTensor logits = FloatTensor.zeros(m, decoder.dim(0));
        // t · Eᵀ + bias on the GEMM, the decoder packed for this call as Linear packs a trained weight (one layout kept)
        k.linear(t, PackedMatrix.packScratch(decoder), bias, Epilogue.BIAS, null, logits);
        return new Saved(h, pre, act, t, logits);
    }

    /** Whether the decoder is {@code words} itself (tied, as in transformers), so its gradient is the word table's. */
    public boolean decoderTiedTo(FloatTensor words) {
        return decoder == words;
    }

    /**
     * Backward from {@code dlogits} (m, vocab) to {@code dh} (m, hidden), written. The decoder's gradient
     * {@code dlogitsᵀ · t} goes into {@code decoderGrad} (vocab, hidden): the word embeddings' when tied; the rest under
     * {@code g} (this head's scope, {@code cls.predictions}: {@code bias}, {@code transform.dense.*}, {@code transform.LayerNorm.*};
     * RoBERTa's {@code lm_head}: {@code bias}, {@code dense.*}, {@code layer_norm.*}; DistilBERT's root: {@code vocab_projector.bias},
     * {@code vocab_transform.*}, {@code vocab_layer_norm.*}).
     */
    public void backward(Kernels k, Saved s, FloatTensor dlogits, FloatTensor dh, Gradients g, FloatTensor decoderGrad) {
        int m = s.h().dim(0);
        k.linearWeightGrad(s.t(), dlogits, decoderGrad, bias == null ? null : g.tensor(biasKey, decoder.dim(0)));
        FloatTensor dt = FloatTensor.zeros(m, decoder.dim(1));
        PackedMatrix wt = PackedMatrix.packInOutScratch(decoder);                         // E read as (vocab, hidden) = (in, out)
        k.linear(dlogits, wt, null, Epilogue.NONE, null, dt);                             // (m, vocab) · (vocab, hidden)
        transformLayerNorm.backward(k, s.act(), dt, dt, g.prefix(layerNormKey));
        k.geluBackward(s.pre(), dt);
        transformDense.backward(k, s.h(), dt, dh, false, g.prefix(denseKey));
    }

    /**
     * Registers the head's parameters under {@code p} ({@code cls.predictions}): {@code bias}, {@code transform.…}, and
     * {@code decoder.weight} only when the decoder is not tied (tied, it is the word embeddings' parameter); other
     * families' under their keys.
     */
    public void parameters(Parameters p, FloatTensor words) {
        if (bias != null) p.add(biasKey, bias);
        transformDense.parameters(p.prefix(denseKey));
        transformLayerNorm.parameters(p.prefix(layerNormKey));
        if (!decoderTiedTo(words)) p.prefix(decoderKey).add("weight", decoder);
    }
}
