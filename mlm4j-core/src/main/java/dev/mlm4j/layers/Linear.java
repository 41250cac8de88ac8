package dev.mlm4j.layers;

import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Epilogue;
import dev.mlm4j.kernels.Int8Matrix;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.PackedMatrix;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Weights;

/**
 * A dense layer y = x Wᵀ + b (PyTorch {@code nn.Linear}); loads {@code weight} [out, in] and {@code bias} [out]
 * from its scope. The weight is packed once, at load, into the panel layout the GEMM streams; the bias,
 * the GELU or the residual add is fused into the GEMM's store ({@link Kernels#linear}, on the kernels the caller
 * passes).
 *
 * <p>With {@link Precision#INT8} (a parameter of every load) the weight is quantised instead, per output channel,
 * and runs on the int8 GEMM.
 */
public final class Linear {
    private final PackedMatrix weight; // in → out, packed; null when int8
    private final Int8Matrix weight8;  // in → out, int8 with per-output scales; null when fp32
    private final FloatTensor bias;    // (out)

    /** A layer of {@code weight} (out, in) and {@code bias} (out, or null), stored at {@code precision}. */
    public Linear(FloatTensor weightOutIn, FloatTensor bias, Precision precision) {
        this(precision, bias, weightOutIn);
    }

    private Linear(Precision p, FloatTensor bias, FloatTensor... weightsOutIn) {
        int out = 0;
        for (FloatTensor w : weightsOutIn) out += w.dim(0);
        if (bias != null && bias.size() != out) {
            throw new IllegalArgumentException("bias of " + bias.size() + " for a linear layer with " + out + " outputs");
        }
        this.weight = p == Precision.FP32 ? PackedMatrix.packConcat(weightsOutIn) : null;
        this.weight8 = p == Precision.INT8 ? Int8Matrix.quantize(weightsOutIn) : null;
        this.bias = bias;
    }

    /**
     * Several layers reading the same input as one: outputs concatenated in the order given, so one GEMM
     * computes, e.g., query, key and value ((T, 3·hidden)). Each scope holds {@code weight} (out_i, in) and {@code bias}.
     */
    public static Linear fused(Precision precision, int in, int[] outs, Weights... scopes) {
        FloatTensor[] ws = new FloatTensor[scopes.length];
        int total = 0;
        for (int i = 0; i < scopes.length; i++) {
            ws[i] = i < Weights.SCRATCH_SLOTS ? scopes[i].scratch("weight", i, outs[i], in) : scopes[i].tensor("weight", outs[i], in);
            total += outs[i];
        }
        FloatTensor bias = FloatTensor.zeros(total);
        for (int i = 0, at = 0; i < scopes.length; at += outs[i], i++) {
            System.arraycopy(scopes[i].tensor("bias", outs[i]).toArray(), 0, bias.data(), at, outs[i]);
        }
        return new Linear(precision, bias, ws);
    }

    /** Loads {@code weight} (out, in) and {@code bias} (out) under {@code w}, stored at {@code precision}. */
    public static Linear load(Weights w, int in, int out, Precision precision) {
        return new Linear(w.scratch("weight", 0, out, in), w.tensor("bias", out), precision);
    }

    public int in() {
        return weight != null ? weight.in() : weight8.in();
    }

    public int out() {
        return weight != null ? weight.out() : weight8.out();
    }

    /** How the weight is stored. */
    public Precision precision() {
        return weight != null ? Precision.FP32 : Precision.INT8;
    }

    /** A new (n, out) tensor holding x (n, in) · Wᵀ + b. */
    public FloatTensor forward(Kernels k, FloatTensor x) {
        return forward(k, x, Epilogue.BIAS, null, FloatTensor.zeros(x.dim(0), out()));
    }

    /** A new (n, out) tensor holding GELU(x Wᵀ + b). */
    public FloatTensor forwardGelu(Kernels k, FloatTensor x) {
        return forward(k, x, Epilogue.BIAS_GELU, null, FloatTensor.zeros(x.dim(0), out()));
    }

    /** A new (n, out) tensor holding x Wᵀ + b + residual. */
    public FloatTensor forwardPlus(Kernels k, FloatTensor x, FloatTensor residual) {
        return forward(k, x, Epilogue.BIAS_RESIDUAL, residual, FloatTensor.zeros(x.dim(0), out()));
    }

    /** {@code y} (n, out) ← x (n, in) · Wᵀ + b, into the caller's buffer (every element written); returns y. */
    public FloatTensor forwardInto(Kernels k, FloatTensor x, FloatTensor y) {
        return forward(k, x, Epilogue.BIAS, null, y);
    }

    /** {@code y} (n, out) ← GELU(x Wᵀ + b); returns y. */
    public FloatTensor forwardGeluInto(Kernels k, FloatTensor x, FloatTensor y) {
        return forward(k, x, Epilogue.BIAS_GELU, null, y);
    }

    /** {@code y} (n, out) ← x Wᵀ + b + residual; returns y. {@code residual} may be y itself, not a different view of it. */
    public FloatTensor forwardPlusInto(Kernels k, FloatTensor x, FloatTensor residual, FloatTensor y) {
        return forward(k, x, Epilogue.BIAS_RESIDUAL, residual, y);
    }

    private FloatTensor forward(Kernels k, FloatTensor x, Epilogue e, FloatTensor residual, FloatTensor y) {
        Epilogue epilogue = bias == null && e == Epilogue.BIAS ? Epilogue.NONE : e;
        if (weight != null) k.linear(x, weight, bias, epilogue, residual, y);
        else k.linear(x, weight8, bias, epilogue, residual, y);
        return y;
    }
}
