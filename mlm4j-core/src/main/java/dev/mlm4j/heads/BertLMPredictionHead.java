package dev.mlm4j.heads;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * The masked-language-model head: transformers' {@code BertLMPredictionHead} (keys {@code cls.predictions.*}):
 * transform = LayerNorm(GELU(dense(h))), then logits = transform · Eᵀ + bias with the decoder E tied to the
 * word embeddings. Logits are computed only for the rows asked for (the masked positions), so a 119,547-word
 * vocabulary costs one (m, hidden) × (hidden, vocab) product, not one per token.
 */
public final class BertLMPredictionHead {
    private final Linear transformDense;      // hidden → hidden
    private final LayerNorm transformLayerNorm;
    private final FloatTensor decoder;        // (vocab, hidden), tied to bert.embeddings.word_embeddings
    private final FloatTensor bias;           // (vocab)

    /** The transform's dense layer is stored at {@code precision}; the tied decoder stays fp32, as the embeddings are. */
    public BertLMPredictionHead(Weights predictions, BertConfig c, FloatTensor wordEmbeddings, Precision precision) {
        Weights transform = predictions.prefix("transform");
        this.transformDense = Linear.load(transform.prefix("dense"), c.hiddenSize(), c.hiddenSize(), precision);
        this.transformLayerNorm = LayerNorm.load(transform.prefix("LayerNorm"), c.hiddenSize(), c.layerNormEps());
        this.decoder = predictions.has("decoder.weight")
                ? predictions.prefix("decoder").tensor("weight", c.vocabSize(), c.hiddenSize())
                : wordEmbeddings;
        this.bias = predictions.tensor("bias", c.vocabSize());
    }

    public int vocabSize() {
        return decoder.dim(0);
    }

    /** h (m, hidden) at the positions to predict → logits (m, vocab). */
    public FloatTensor forward(Kernels k, FloatTensor h) {
        FloatTensor t = transformDense.forwardGelu(k, h);
        transformLayerNorm.forward(k, t);
        FloatTensor logits = FloatTensor.zeros(h.dim(0), decoder.dim(0));
        k.matmulTransposed(t, decoder, logits);
        k.addBias(logits, bias);
        return logits;
    }
}
