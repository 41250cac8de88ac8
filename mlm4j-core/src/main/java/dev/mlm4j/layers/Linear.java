package dev.mlm4j.layers;

import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Epilogue;
import dev.mlm4j.kernels.Int8Matrix;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.PackedMatrix;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

/**
 * A dense layer y = x Wᵀ + b (PyTorch {@code nn.Linear}); loads {@code weight} [out, in] and {@code bias} [out]
 * from its scope. The weight is packed once, at load, into the panel layout the GEMM streams; the bias,
 * the GELU or the residual add is fused into the GEMM's store ({@link Kernels#linear}, on the kernels the caller
 * passes).
 *
 * <p>With {@link Precision#INT8} (a parameter of every load) the weight is quantised instead, per output channel,
 * and runs on the int8 GEMM.
 *
 * <p>Training ({@link #parameters}) keeps one layout of the weight: the fp32 master (out, in) the optimiser updates.
 * The loaded packing is dropped then, and each forward packs W, each backward Wᵀ, from the master just before its GEMM
 * into a buffer all layers share ({@link PackedMatrix#packScratch}): the weight changes every step, so kept packed copies
 * would be packed again every step anyway, and bert-base would hold 3 × 340 MB of linear weights where PyTorch holds one.
 *
 * <p>A layer loaded from an int8 file of ONNX Runtime's dynamic quantization ({@link dev.mlm4j.weights.TensorSource#quantizesInput})
 * also rounds its input as ONNX Runtime does there ({@link #quantizeInput}), so it computes what that file computes.
 */
public final class Linear {
    private volatile PackedMatrix weight; // in → out, packed at load; null when int8, and once training (then master is the weight)
    private final int in, out;
    private final int[] parts;            // out of each fused part (query, key, value), in order
    private final Int8Matrix weight8;  // in → out, int8 with per-output scales; null when fp32
    private final FloatTensor bias;    // (out)
    private final boolean quantizeInput; // round x to uint8 per call first, as ONNX Runtime's DynamicQuantizeLinear
    /**
     * The fp32 master copy (out, in) the optimiser updates, once {@link #parameters} registered it (then the only copy:
     * forward and backward pack it per use); else null.
     */
    private volatile FloatTensor master;

    /** A layer of {@code weight} (out, in) and {@code bias} (out, or null), stored at {@code precision}. */
    public Linear(FloatTensor weightOutIn, FloatTensor bias, Precision precision) {
        this(precision, false, bias, weightOutIn);
    }

    /** A fp32 layer on a weight already packed, made of parts of {@code outs} outputs. */
    private Linear(PackedMatrix weight, int[] outs, boolean quantizeInput, FloatTensor bias) {
        if (bias != null && bias.size() != weight.out()) {
            throw new IllegalArgumentException("bias of " + bias.size() + " for a linear layer with " + weight.out() + " outputs");
        }
        this.weight = weight;
        this.in = weight.in();
        this.out = weight.out();
        this.parts = outs.clone();
        this.weight8 = null;
        this.bias = bias;
        this.quantizeInput = quantizeInput;
    }

    private Linear(Precision p, boolean quantizeInput, FloatTensor bias, FloatTensor... weightsOutIn) {
        this.quantizeInput = quantizeInput;
        int out = 0;
        this.parts = new int[weightsOutIn.length];
        for (int i = 0; i < parts.length; i++) out += parts[i] = weightsOutIn[i].dim(0);
        if (bias != null && bias.size() != out) {
            throw new IllegalArgumentException("bias of " + bias.size() + " for a linear layer with " + out + " outputs");
        }
        this.weight = p == Precision.FP32 ? PackedMatrix.packConcat(weightsOutIn) : null;
        this.weight8 = p == Precision.INT8 ? Int8Matrix.quantize(weightsOutIn) : null;
        this.in = weightsOutIn[0].dim(1);
        this.out = out;
        this.bias = bias;
    }

    /**
     * Several layers reading the same input as one: outputs concatenated in the order given, so one GEMM
     * computes, e.g., query, key and value ((T, 3·hidden)). Each scope holds {@code weight} (out_i, in) and {@code bias}.
     * An fp32 weight comes packed from the source's packed cache when it has one ({@link Weights#packed}).
     */
    public static Linear fused(Precision precision, int in, int[] outs, Weights... scopes) {
        int total = 0;
        for (int o : outs) total += o;
        FloatTensor bias = FloatTensor.zeros(total);
        for (int i = 0, at = 0; i < scopes.length; at += outs[i], i++) {
            System.arraycopy(scopes[i].tensor("bias", outs[i]).toArray(), 0, bias.data(), at, outs[i]);
        }
        boolean quantize = scopes[0].source().quantizesInput(scopes[0].key("weight"));
        for (Weights s : scopes) {
            if (s.source().quantizesInput(s.key("weight")) != quantize) {
                throw new IllegalArgumentException("fused linear layers " + scopes[0].key("weight") + " and " + s.key("weight")
                        + " disagree on whether their input is quantized");
            }
        }
        if (precision == Precision.FP32) {
            return new Linear(Weights.packed(scopes, in, outs, () -> PackedMatrix.packConcat(loadWeights(in, outs, scopes))), outs, quantize, bias);
        }
        return new Linear(precision, quantize, bias, loadWeights(in, outs, scopes));
    }

    private static FloatTensor[] loadWeights(int in, int[] outs, Weights... scopes) {
        FloatTensor[] ws = new FloatTensor[scopes.length];
        for (int i = 0; i < scopes.length; i++) {
            ws[i] = i < Weights.SCRATCH_SLOTS ? scopes[i].scratch("weight", i, outs[i], in) : scopes[i].tensor("weight", outs[i], in);
        }
        return ws;
    }

    /**
     * Loads {@code weight} (out, in) and {@code bias} (out) under {@code w}, stored at {@code precision}; an fp32 weight
     * comes packed from the source's packed cache when it has one ({@link Weights#packed}).
     */
    public static Linear load(Weights w, int in, int out, Precision precision) {
        return fused(precision, in, new int[] {out}, w);
    }

    /** {@link #load}, or without a bias ({@code nn.Linear(..., bias=False)}: only {@code weight} is read) when {@code bias} is false. */
    public static Linear load(Weights w, int in, int out, boolean bias, Precision precision) {
        return bias ? load(w, in, out, precision) : new Linear(w.tensor("weight", out, in), null, precision);
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    /** How the weight is stored. */
    public Precision precision() {
        return weight8 == null ? Precision.FP32 : Precision.INT8;
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

    /**
     * x Wᵀ + b over the first {@code outputs} outputs only, a new (n, outputs) tensor: e.g. query | key of a fused
     * query | key | value layer. With fp32 weights packed and {@code outputs} a whole number of panels the GEMM runs
     * over those panels alone (each output the same float as in {@link #forward}); otherwise the whole layer runs and
     * its first columns are copied.
     */
    public FloatTensor forwardLeading(Kernels k, FloatTensor x, int outputs) {
        PackedMatrix w = weight;
        if (w == null || outputs % PackedMatrix.NR != 0 || outputs > out) return forward(k, x).columns(0, outputs).copy();
        if (quantizeInput) x = quantizeInput(x);
        FloatTensor y = FloatTensor.zeros(x.dim(0), outputs);
        k.linear(x, w.leading(outputs), bias == null ? null : bias.slice(0, outputs), bias == null ? Epilogue.NONE : Epilogue.BIAS, null, y);
        return y;
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
        if (quantizeInput) x = quantizeInput(x);
        Epilogue epilogue = bias == null && e == Epilogue.BIAS ? Epilogue.NONE : e;
        PackedMatrix w = weight;
        if (w != null) k.linear(x, w, bias, epilogue, residual, y);
        else if (weight8 != null) k.linear(x, weight8, bias, epilogue, residual, y);
        else k.linear(x, PackedMatrix.packScratch(master), bias, epilogue, residual, y);   // training: W packed for this GEMM
        return y;
    }

    /** Whether this layer rounds its input to uint8 first ({@link #quantizeInput(FloatTensor)}). */
    public boolean quantizesInput() {
        return quantizeInput;
    }

    /**
     * {@code x} (n, in) as ONNX Runtime's {@code DynamicQuantizeLinear} rounds it, dequantized: one scale and zero point
     * for the whole tensor, {@code scale = (max(0, max x) − min(0, min x)) / 255} (1 when that is 0),
     * {@code zp = rint(clamp(−min / scale, 0, 255))}, {@code q = clamp(rint(x / scale) + zp, 0, 255)} (rint: half to even),
     * and the layer then multiplies {@code (q − zp) · scale}. ONNX Runtime multiplies the integers and scales the sum
     * instead ({@code MatMulInteger}, then {@code · scale · weight scale}): the same value up to float rounding.
     * The tensor is whatever one call gets: callers wanting one text's result independent of the others run one text
     * per call ({@link dev.mlm4j.model.Encoder#quantizesPerPass}).
     */
    public static FloatTensor quantizeInput(FloatTensor x) {
        int n = x.dim(0), in = x.dim(1);
        float[] d = x.data();
        float min = 0f, max = 0f;
        for (int i = 0; i < n; i++) {
            for (int j = 0, o = x.rowOffset(i), s = x.stride(1); j < in; j++) {
                float v = d[o + j * s];
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        float scale = max == min ? 1f : (max - min) / 255f;
        float zp = (float) Math.rint(Math.max(0f, Math.min(255f, 0f - min / scale)));
        FloatTensor q = FloatTensor.zeros(n, in);
        float[] qd = q.data();
        for (int i = 0; i < n; i++) {
            for (int j = 0, o = x.rowOffset(i), s = x.stride(1); j < in; j++) {
                float r = (float) Math.rint(d[o + j * s] / scale) + zp;
                qd[i * in + j] = (Math.max(0f, Math.min(255f, r)) - zp) * scale;
            }
        }
        return q;
    }

    // ---- backward ------------------------------------------------------------------------------------------

    /** A copy of the weight as the checkpoint has it, (out, in): the master's values when training, else read back from the packed layout (fp32 only). */
    public FloatTensor weightOutIn() {
        fp32("the weight's values");
        FloatTensor m = master;
        if (m != null) return m.copy();
        return weight.unpacked();
    }

    /**
     * Backward of {@code y = x Wᵀ + b} (whatever the epilogue: the caller has already taken GELU's or the residual's
     * part out of dy): {@code dw (out, in) += dyᵀ · x}, {@code db (out) += Σ_rows dy} ({@link Kernels#linearWeightGrad}),
     * and, if dx is given, {@code dx (n, in) = dy · W} (or {@code +=} with {@code accumulate}), on the forward's GEMM
     * with Wᵀ packed for this call from the master ({@link PackedMatrix#packInOutScratch}). Training runs on fp32 weights only.
     *
     * @param x  (n, in) the forward's input
     * @param dy (n, out) the gradient at the output
     * @param dx (n, in) or null when the input needs no gradient; must not overlap dy
     * @param db (out) or null (a layer without bias)
     */
    public void backward(Kernels k, FloatTensor x, FloatTensor dy, FloatTensor dx, boolean accumulate, FloatTensor dw, FloatTensor db) {
        fp32("backward");
        k.linearWeightGrad(x, dy, dw, db);
        if (dx != null) {
            FloatTensor m = master;        // W (out, in) read as an (in, out) weight of the layer out → in: dy · W
            PackedMatrix t = PackedMatrix.packInOutScratch(m != null ? m : weightOutIn());
            if (accumulate) k.linear(dy, t, null, Epilogue.BIAS_RESIDUAL, dx, dx);
            else k.linear(dy, t, null, Epilogue.NONE, null, dx);
        }
    }

    private void fp32(String what) {
        if (weight8 != null) throw new UnsupportedOperationException(what + " needs fp32 weights; this layer is int8 (load with Precision.FP32 to train)");
    }

    /** {@link #backward(Kernels, FloatTensor, FloatTensor, FloatTensor, boolean, FloatTensor, FloatTensor)} into this layer's scope {@code g}: "weight" (out, in) and "bias" (out). */
    public void backward(Kernels k, FloatTensor x, FloatTensor dy, FloatTensor dx, boolean accumulate, Gradients g) {
        backward(k, x, dy, dx, accumulate, g.tensor("weight", out(), in()), bias == null ? null : g.tensor("bias", out()));
    }

    // ---- parameters ----------------------------------------------------------------------------------------

    /**
     * Registers this layer's trainable parameters, {@code weight} (out_i, in) and {@code bias} (out_i), under one scope
     * per fused part (one scope for a plain layer; query, key, value for the fused one). The weight is unpacked into an
     * fp32 master copy the optimiser updates, and the loaded packing is let go: from here on forward and backward pack
     * the master per use, so they always read the values of the last step and nothing needs refreshing after one. The
     * bias is the forward's own tensor. An int8 layer refuses: training needs fp32 weights. Registering twice (a second
     * trainer on the same model) keeps the first master.
     */
    public void parameters(Parameters... scopes) {
        fp32("training");
        if (quantizeInput) throw new UnsupportedOperationException("training needs float inputs; this layer rounds its input to 8 bits (an int8 ONNX file)");
        if (scopes.length != parts.length) throw new IllegalArgumentException(scopes.length + " scopes for a layer of " + parts.length + " parts");
        FloatTensor master = this.master;
        if (master == null) {
            this.master = master = weightOutIn();                            // (out, in): set before the packing goes,
            weight = null;                                                   // so a forward reads one or the other
        }
        for (int i = 0, at = 0; i < parts.length; at += parts[i], i++) {
            scopes[i].add("weight", master.slice(at, parts[i]));
            if (bias != null) scopes[i].add("bias", bias.slice(at, parts[i]));
        }
    }
}
