package dev.mlm4j.layers;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

/** LayerNorm over the hidden dimension; keeps TensorFlow's name "LayerNorm" in the key tree, as transformers does. */
public final class LayerNorm {
    private final FloatTensor weight; // (hidden)  γ
    private final FloatTensor bias;   // (hidden)  β, zeros and not a parameter when the module has none
    private final float eps;
    private final boolean hasBias;    // false: nn.LayerNorm(..., bias=False), no β to train or save

    public LayerNorm(FloatTensor weight, FloatTensor bias, float eps) {
        this(weight, bias, eps, true);
    }

    private LayerNorm(FloatTensor weight, FloatTensor bias, float eps, boolean hasBias) {
        this.weight = weight;
        this.bias = bias;
        this.eps = eps;
        this.hasBias = hasBias;
    }

    public static LayerNorm load(Weights w, int hidden, double eps) {
        return new LayerNorm(w.tensor("weight", hidden), w.tensor("bias", hidden), (float) eps);
    }

    /** {@link #load}, or without β ({@code nn.LayerNorm(..., bias=False)}: only {@code weight} is read) when {@code bias} is false. */
    public static LayerNorm load(Weights w, int hidden, double eps, boolean bias) {
        return bias ? load(w, hidden, eps) : new LayerNorm(w.tensor("weight", hidden), FloatTensor.zeros(hidden), (float) eps, false);
    }

    /** x (n, hidden), normalised in place. */
    public void forward(Kernels k, FloatTensor x) {
        k.layerNorm(x, weight, bias, eps);
    }

    /**
     * Backward of {@link #forward}: dx (n, hidden) written from dy (dx may be dy itself); the gradients of
     * {@code weight} and {@code bias} accumulated under {@code g} (this LayerNorm's scope; no {@code bias} when it has none).
     *
     * @param x (n, hidden) the forward's input, before normalisation (mean and 1/σ are recomputed from it)
     */
    public void backward(Kernels k, FloatTensor x, FloatTensor dy, FloatTensor dx, Gradients g) {
        int h = weight.size();
        k.layerNormBackward(x, weight, eps, dy, dx, g.tensor("weight", h), hasBias ? g.tensor("bias", h) : FloatTensor.zeros(h));
    }

    /** Registers {@code weight} and {@code bias} (the forward's own tensors, updated in place; no bias when it has none) under {@code p}. */
    public void parameters(Parameters p) {
        p.add("weight", weight);
        if (hasBias) p.add("bias", bias);
    }
}
