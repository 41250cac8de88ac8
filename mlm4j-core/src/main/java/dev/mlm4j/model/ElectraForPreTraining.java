package dev.mlm4j.model;

import dev.mlm4j.config.ElectraConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code ElectraForPreTraining}, the discriminator: {@link ElectraModel} and
 * {@code ElectraDiscriminatorPredictions} (keys {@code discriminator_predictions.dense} hidden → hidden, the config's
 * activation (GELU), {@code discriminator_predictions.dense_prediction} hidden → 1): one logit per token. The head is
 * kept in fp32 at any precision.
 */
public final class ElectraForPreTraining implements ReplacedTokenDetector {
    private final ElectraModel electra;
    private final Linear dense;
    private final Linear densePrediction;

    ElectraForPreTraining(ElectraModel electra, TensorSource source) {
        ElectraConfig c = electra.config();
        Weights w = new Weights(source).prefix("discriminator_predictions");
        this.electra = electra;
        this.dense = Linear.load(w.prefix("dense"), c.hiddenSize(), c.hiddenSize(), Precision.FP32);
        this.densePrediction = Linear.load(w.prefix("dense_prediction"), c.hiddenSize(), 1, Precision.FP32);
    }

    /** Whether a checkpoint carries the discriminator head: any {@code discriminator_predictions.*} tensor. */
    public static boolean hasHead(TensorSource source) {
        return source.containsAnyUnder("discriminator_predictions.");
    }

    @Override
    public ElectraModel encoder() {
        return electra;
    }

    @Override
    public float[] logits(Kernels k, EncoderOutput output) {
        FloatTensor logits = densePrediction.forward(k, dense.forwardGelu(k, output.lastHiddenState()));   // (T, 1)
        float[] r = new float[logits.dim(0)];
        for (int i = 0; i < r.length; i++) r[i] = logits.at(i, 0);
        return r;
    }
}
