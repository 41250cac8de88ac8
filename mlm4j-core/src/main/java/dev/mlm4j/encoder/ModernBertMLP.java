package dev.mlm4j.encoder;

import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
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

    /**
     * {@code residual} (T, hidden) += Wo(gelu(input) · gate) for x (T, hidden), with input | gate = Wi(x) in {@code both}
     * (T, 2·intermediate), whose input half then holds gelu(input) · gate; x is overwritten with Wo's output.
     */
    void forward(Kernels k, FloatTensor x, FloatTensor both, FloatTensor residual) {
        wi.forwardInto(k, x, both);
        FloatTensor input = both.columns(0, intermediate), gate = both.columns(intermediate, intermediate);
        k.gelu(input, input);
        float[] d = both.data();
        for (int i = 0; i < input.dim(0); i++) {
            int r = input.rowOffset(i), gr = gate.rowOffset(i);
            for (int j = 0; j < intermediate; j++) d[r + j] *= d[gr + j];
        }
        k.add(residual, wo.forwardInto(k, input, x));              // x is read: Wo's output goes there, then adds as transformers' does
    }

    // ---- training ------------------------------------------------------------------------------------------

    /**
     * Training forward: {@code a.wi} ← Wi(x) (input | gate), {@code a.act} ← drop(gelu(input) · gate) with
     * {@code a.mlpDrop} (transformers' {@code mlp_dropout}); returns Wo(a.act), a new (T, hidden) tensor.
     */
    FloatTensor forwardTraining(Kernels k, FloatTensor x, ModernBertLayerActivations a) {
        wi.forwardInto(k, x, a.wi);
        FloatTensor input = a.wi.columns(0, intermediate).copy(), gate = a.wi.columns(intermediate, intermediate);
        k.gelu(input);
        float[] d = a.act.data();
        for (int i = 0; i < input.dim(0); i++) {
            int r = a.act.rowOffset(i);
            for (int j = 0; j < intermediate; j++) d[r + j] = input.at(i, j) * gate.at(i, j);
        }
        a.mlpDrop.apply(a.act);
        return wo.forward(k, a.act);
    }

    /**
     * Backward from dy (T, hidden) at Wo's output → the gradient at x (T, hidden), a new tensor; Wi's and Wo's gradients
     * under {@code g}. gelu(input) is recomputed from the saved {@code a.wi}.
     */
    FloatTensor backward(Kernels k, FloatTensor x, ModernBertLayerActivations a, FloatTensor dy, Gradients g) {
        int t = x.dim(0);
        FloatTensor dact = FloatTensor.zeros(t, intermediate);
        wo.backward(k, a.act, dy, dact, false, g.prefix("Wo"));
        a.mlpDrop.apply(dact);                                                          // through the dropout
        FloatTensor pre = a.wi.columns(0, intermediate).copy(), gelu = pre.copy(), gate = a.wi.columns(intermediate, intermediate);
        k.gelu(gelu);
        FloatTensor dboth = FloatTensor.zeros(t, 2 * intermediate), dinput = FloatTensor.zeros(t, intermediate);
        float[] db = dboth.data(), di = dinput.data();
        for (int i = 0; i < t; i++) {
            int r = dboth.rowOffset(i), ri = dinput.rowOffset(i);
            for (int j = 0; j < intermediate; j++) {
                float da = dact.at(i, j);
                di[ri + j] = da * gate.at(i, j);                                        // at gelu(input)
                db[r + intermediate + j] = da * gelu.at(i, j);                          // at the gate
            }
        }
        k.geluBackward(pre, dinput);                                                    // at the input
        for (int i = 0; i < t; i++) System.arraycopy(di, dinput.rowOffset(i), db, dboth.rowOffset(i), intermediate);
        FloatTensor dx = FloatTensor.zeros(t, x.dim(1));
        wi.backward(k, x, dboth, dx, false, g.prefix("Wi"));
        return dx;
    }

    void parameters(Parameters p) {
        wi.parameters(p.prefix("Wi"));
        wo.parameters(p.prefix("Wo"));
    }
}
