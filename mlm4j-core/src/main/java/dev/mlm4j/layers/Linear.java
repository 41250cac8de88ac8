package dev.mlm4j.layers;

import dev.mlm4j.kernels.Epilogue;
import dev.mlm4j.kernels.Gemm;
import dev.mlm4j.kernels.PackedMatrix;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * A dense layer y = x Wᵀ + b (PyTorch {@code nn.Linear}); loads {@code weight} [out, in] and {@code bias} [out]
 * from its scope. The weight is packed once, at load, into the panel layout {@link Gemm} streams; the bias,
 * the GELU or the residual add is fused into the GEMM's store.
 */
public final class Linear {
    private final PackedMatrix weight; // in → out, packed
    private final FloatTensor bias;    // (out)

    public Linear(FloatTensor weightOutIn, FloatTensor bias) {
        if (bias != null && bias.size() != weightOutIn.dim(0)) {
            throw new IllegalArgumentException("bias of " + bias.size() + " for a linear layer with " + weightOutIn.dim(0) + " outputs");
        }
        this.weight = PackedMatrix.pack(weightOutIn);
        this.bias = bias;
    }

    private Linear(PackedMatrix weight, FloatTensor bias) {
        this.weight = weight;
        this.bias = bias;
    }

    /**
     * Several layers reading the same input as one: outputs concatenated in the order given, so one GEMM
     * computes, e.g., query, key and value ((T, 3·hidden)). Each scope holds {@code weight} (out_i, in) and {@code bias}.
     */
    public static Linear fused(int in, int[] outs, Weights... scopes) {
        FloatTensor[] ws = new FloatTensor[scopes.length];
        int total = 0;
        for (int i = 0; i < scopes.length; i++) {
            ws[i] = scopes[i].tensor("weight", outs[i], in);
            total += outs[i];
        }
        FloatTensor bias = FloatTensor.zeros(total);
        for (int i = 0, at = 0; i < scopes.length; at += outs[i], i++) {
            System.arraycopy(scopes[i].tensor("bias", outs[i]).toArray(), 0, bias.data(), at, outs[i]);
        }
        return new Linear(PackedMatrix.packConcat(ws), bias);
    }

    /** Loads {@code weight} (out, in) and {@code bias} (out) under {@code w}. */
    public static Linear load(Weights w, int in, int out) {
        return new Linear(w.tensor("weight", out, in), w.tensor("bias", out));
    }

    public int in() {
        return weight.in();
    }

    public int out() {
        return weight.out();
    }

    /** A new (n, out) tensor holding x (n, in) · Wᵀ + b. */
    public FloatTensor forward(FloatTensor x) {
        return forward(x, Epilogue.BIAS, null);
    }

    /** A new (n, out) tensor holding GELU(x Wᵀ + b). */
    public FloatTensor forwardGelu(FloatTensor x) {
        return forward(x, Epilogue.BIAS_GELU, null);
    }

    /** A new (n, out) tensor holding x Wᵀ + b + residual. */
    public FloatTensor forwardPlus(FloatTensor x, FloatTensor residual) {
        return forward(x, Epilogue.BIAS_RESIDUAL, residual);
    }

    private FloatTensor forward(FloatTensor x, Epilogue e, FloatTensor residual) {
        FloatTensor y = FloatTensor.zeros(x.dim(0), out());
        Gemm.linear(x, weight, bias, bias == null && e == Epilogue.BIAS ? Epilogue.NONE : e, residual, y);
        return y;
    }
}
