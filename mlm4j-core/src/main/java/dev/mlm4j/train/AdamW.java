package dev.mlm4j.train;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW as {@code torch.optim.AdamW} with Hugging Face Trainer's parameter groups: decoupled weight decay on every
 * parameter except biases and LayerNorm weights. Per parameter p with gradient g, at step t (1-based):
 * <pre>
 *   p ← p − lr · λ · p                     (decoupled decay; λ = 0 for biases and LayerNorm)
 *   m ← β1 m + (1 − β1) g,  v ← β2 v + (1 − β2) g²
 *   p ← p − lr / (1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)
 * </pre>
 * The moments are fp32, one pair per parameter, created on the first step; a parameter without a gradient this step
 * is left alone (torch skips a {@code .grad} of None). Not thread-safe: one optimiser per training run.
 */
public final class AdamW {
    private final double beta1, beta2, eps, weightDecay;
    private final Kernels kernels;
    private final Map<String, float[][]> moments = new HashMap<>(); // name → {m, v}
    private int step;

    /** Hugging Face's defaults: β = (0.9, 0.999), ε = 1e-8, with the given decoupled weight decay λ. */
    public AdamW(double weightDecay) {
        this(0.9, 0.999, 1e-8, weightDecay);
    }

    public AdamW(double beta1, double beta2, double eps, double weightDecay) {
        this(beta1, beta2, eps, weightDecay, Kernels.get());
    }

    /** With the kernels whose {@link Kernels#adamW} updates the parameters (the scalar reference, for tests). */
    public AdamW(double beta1, double beta2, double eps, double weightDecay, Kernels kernels) {
        this.kernels = kernels;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** Whether Hugging Face's Trainer decays a parameter of this name: not biases, not LayerNorm weights (ModernBERT's {@code …norm.weight}). */
    public static boolean decays(String name) {
        return !(name.endsWith("bias") || name.contains("LayerNorm") || name.contains("layer_norm") || name.endsWith("norm.weight"));
    }

    /** Steps taken so far. */
    public int steps() {
        return step;
    }

    /**
     * The optimiser's state for a checkpoint: {@code exp_avg.<name>} and {@code exp_avg_sq.<name>} (torch's names for
     * the first and second moments) of every parameter stepped so far; the live arrays, wrapped, not copies.
     */
    public Map<String, FloatTensor> moments() {
        Map<String, FloatTensor> out = new java.util.TreeMap<>();
        moments.forEach((name, mv) -> {
            out.put("exp_avg." + name, FloatTensor.wrap(mv[0], mv[0].length));
            out.put("exp_avg_sq." + name, FloatTensor.wrap(mv[1], mv[1].length));
        });
        return out;
    }

    /** Restores {@link #steps()} and the {@link #moments()} a checkpoint saved; the optimiser continues bit for bit. */
    public void restore(int steps, Map<String, FloatTensor> saved) {
        if (steps < 0) throw new IllegalArgumentException("negative step count " + steps);
        moments.clear();
        for (Map.Entry<String, FloatTensor> e : saved.entrySet()) {
            if (!e.getKey().startsWith("exp_avg.")) continue;
            String name = e.getKey().substring("exp_avg.".length());
            FloatTensor v = saved.get("exp_avg_sq." + name);
            if (v == null || v.size() != e.getValue().size()) throw new IllegalArgumentException("optimiser state of '" + name + "' is incomplete");
            moments.put(name, new float[][] {e.getValue().toArray(), v.toArray()});
        }
        this.step = steps;
    }

    /**
     * One update of every parameter that has a gradient in {@code g}, at learning rate {@code lr}, in place. Element-wise,
     * so the parameters are cut into pieces that run in parallel ({@link Parallel}); the same numbers whatever the cut.
     */
    public void step(Parameters params, Gradients g, double lr) {
        step(params, g, lr, 1f);
    }

    /**
     * {@link #step(Parameters, Gradients, double)} on the gradients multiplied by {@code gradScale} (a clipping factor,
     * {@link GradientClipping#factor}): each gradient value is multiplied by it as the update reads it, the float
     * product an in-place scaling would have stored, so the numbers are those of scaling first; the gradients are left
     * as they are. 1 reads them unchanged.
     */
    public void step(Parameters params, Gradients g, double lr, float gradScale) {
        step(params, g, lr, gradScale, false);
    }

    /**
     * {@link #step(Parameters, Gradients, double, float)}, then, with {@code zeroGradients}, each gradient it read set to
     * zero piece by piece right after its update (while the piece is still in cache): a trainer's next
     * {@code zero_grad()} then has nothing to fill ({@link Trainer}). The updates are the same either way.
     */
    public void step(Parameters params, Gradients g, double lr, float gradScale, boolean zeroGradients) {
        step++;
        double c1 = 1 - Math.pow(beta1, step), c2 = Math.sqrt(1 - Math.pow(beta2, step));
        float stepSize = (float) (lr / c1);
        List<Update> updates = new ArrayList<>();
        for (Map.Entry<String, FloatTensor> e : params.all().entrySet()) {
            FloatTensor grad = g.get(e.getKey());
            if (grad == null) continue;
            FloatTensor p = e.getValue();
            if (grad.size() != p.size()) throw new IllegalArgumentException("gradient of '" + e.getKey() + "' has " + grad.size() + " values, the parameter " + p.size());
            float[][] mv = moments.computeIfAbsent(e.getKey(), k -> new float[][] {new float[p.size()], new float[p.size()]});
            float decay = decays(e.getKey()) ? (float) (1 - lr * weightDecay) : 1f;
            for (int from = 0; from < p.size(); from += PIECE) updates.add(new Update(p, grad, mv[0], mv[1], decay, from, Math.min(p.size(), from + PIECE)));
        }
        float b1 = (float) beta1, b2 = (float) beta2, fc2 = (float) c2, feps = (float) eps;
        Parallel.forEach(updates.size(), u -> {
            Update d = updates.get(u);
            kernels.adamW(d.p.data(), d.p.offset(), d.grad.data(), d.grad.offset(), d.m, d.v, d.from, d.to, b1, b2, fc2, feps, stepSize, d.decay, gradScale);
            if (zeroGradients) java.util.Arrays.fill(d.grad.data(), d.grad.offset() + d.from, d.grad.offset() + d.to, 0f);
        });
    }

    /** Floats per piece of a parallel update (256 KB of each array). */
    private static final int PIECE = 1 << 16;

    /** Elements [from, to) of one parameter, its gradient and its moments. */
    private record Update(FloatTensor p, FloatTensor grad, float[] m, float[] v, float decay, int from, int to) {}
}
