package dev.mlm4j.layers;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * A dense layer y = x Wᵀ + b (PyTorch {@code nn.Linear}); loads {@code weight} [out, in] and {@code bias} [out]
 * from its scope. The weight is kept transposed, (in, out), the layout the matmul kernel streams.
 */
public final class Linear {
    private final FloatTensor weightInOut; // (in, out)
    private final FloatTensor bias;        // (out)
    private final int in, out;

    public Linear(FloatTensor weightOutIn, FloatTensor bias) {
        this.out = weightOutIn.dim(0);
        this.in = weightOutIn.dim(1);
        if (bias != null && bias.size() != out) {
            throw new IllegalArgumentException("bias of " + bias.size() + " for a linear layer with " + out + " outputs");
        }
        this.weightInOut = transpose(weightOutIn);
        this.bias = bias;
    }

    /** Loads {@code weight} (out, in) and {@code bias} (out) under {@code w}. */
    public static Linear load(Weights w, int in, int out) {
        return new Linear(w.tensor("weight", out, in), w.tensor("bias", out));
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    /** y (n, out) = x (n, in) · Wᵀ + b. */
    public void forward(Kernels k, FloatTensor x, FloatTensor y) {
        k.matmul(x, weightInOut, y);
        if (bias != null) k.addBias(y, bias);
    }

    /** A new (n, out) tensor holding x Wᵀ + b. */
    public FloatTensor forward(Kernels k, FloatTensor x) {
        FloatTensor y = FloatTensor.zeros(x.dim(0), out);
        forward(k, x, y);
        return y;
    }

    static FloatTensor transpose(FloatTensor w) {
        int r = w.dim(0), c = w.dim(1);
        FloatTensor t = FloatTensor.zeros(c, r);
        float[] src = w.data(), dst = t.data();
        for (int i = 0; i < r; i++) {
            int ro = w.rowOffset(i);
            for (int j = 0; j < c; j++) dst[j * r + i] = src[ro + j];
        }
        return t;
    }
}
