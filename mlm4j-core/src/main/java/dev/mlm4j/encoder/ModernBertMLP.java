package dev.mlm4j.encoder;

import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code ModernBertMLP}, a GeGLU: {@code input, gate = Wi(x).chunk(2)}, {@code Wo(gelu(input) · gate)};
 * keys {@code {Wi,Wo}} ({@code Wi} is (2·intermediate, hidden)), biases only with {@code mlp_bias}.
 */
public final class ModernBertMLP {
    private final Linear wi; // hidden → 2·intermediate: input | gate
    private final Linear wo; // intermediate → hidden
    private final int intermediate;

    ModernBertMLP(Weights w, ModernBertConfig c, Precision precision) {
        this.intermediate = c.intermediateSize();
        this.wi = Linear.load(w.prefix("Wi"), c.hiddenSize(), 2 * intermediate, c.mlpBias(), precision);
        this.wo = Linear.load(w.prefix("Wo"), intermediate, c.hiddenSize(), c.mlpBias(), precision);
    }

    /** x (T, hidden) → a new (T, hidden) tensor. */
    FloatTensor forward(Kernels k, FloatTensor x) {
        FloatTensor both = wi.forward(k, x);
        FloatTensor input = both.columns(0, intermediate).copy(), gate = both.columns(intermediate, intermediate);
        k.gelu(input);
        float[] d = input.data();
        for (int i = 0; i < input.dim(0); i++) {
            int r = input.rowOffset(i);
            for (int j = 0; j < intermediate; j++) d[r + j] *= gate.at(i, j);
        }
        return wo.forward(k, input);
    }
}
