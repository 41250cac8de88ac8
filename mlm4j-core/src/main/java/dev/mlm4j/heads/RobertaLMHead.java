package dev.mlm4j.heads;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code RobertaLMHead} (keys {@code lm_head.*}): logits = decoder(layer_norm(gelu(dense(h)))) + bias,
 * the decoder tied to the word embeddings ({@code save_pretrained} leaves {@code lm_head.decoder.weight} out) and the
 * bias {@code lm_head.bias} ({@code lm_head.decoder.bias} is the same tensor); RoBERTa's and BERT's heads are read, and
 * trained, by {@link BertLMPredictionHead}, which runs this class at inference. ELECTRA's generator computes the same
 * with its own names and a narrower transform ({@link #of}), and so do DeBERTa-v2's ({@code cls.predictions} or
 * {@code lm_predictions.lm_head}), DistilBERT's ({@code vocab_*}) and ModernBERT's ({@code head}, {@code decoder}; its
 * bias optional): one class for the computation, each family's {@code *ForMaskedLM} names the keys. Logits only for the
 * rows asked for.
 */
public final class RobertaLMHead {
    private final Linear dense;          // hidden → width
    private final LayerNorm layerNorm;   // width
    private final FloatTensor decoder;   // (vocab, width)
    private final FloatTensor bias;      // (vocab), or null: none

    private RobertaLMHead(Linear dense, LayerNorm layerNorm, FloatTensor decoder, FloatTensor bias) {
        this.dense = dense;
        this.layerNorm = layerNorm;
        this.decoder = decoder;
        this.bias = bias;
    }

    /**
     * The decoder under {@code scope}: its own {@code weight} (vocab, width) when the checkpoint saved one, else the word
     * embeddings {@code words} (vocab, width) it is tied to ({@code save_pretrained} leaves a tied weight out). Every
     * family's masked-LM head reads its decoder so.
     */
    public static FloatTensor decoder(Weights scope, int width, FloatTensor words) {
        return scope.has("weight") ? scope.tensor("weight", words.dim(0), width) : words;
    }

    /** The head from its parts: {@code dense} (hidden → width), {@code layerNorm} (width), decoder (vocab, width), bias (vocab, or null for none). */
    public static RobertaLMHead of(Linear dense, LayerNorm layerNorm, FloatTensor decoder, FloatTensor bias) {
        return new RobertaLMHead(dense, layerNorm, decoder, bias);
    }

    public int vocabSize() {
        return decoder.dim(0);
    }

    /** h (m, hidden) at the positions to predict → logits (m, vocab). */
    public FloatTensor forward(Kernels k, FloatTensor h) {
        FloatTensor t = dense.forwardGelu(k, h);
        layerNorm.forward(k, t);
        FloatTensor logits = FloatTensor.zeros(h.dim(0), decoder.dim(0));
        k.matmulTransposed(t, decoder, logits);
        if (bias != null) k.addBias(logits, bias);
        return logits;
    }
}
