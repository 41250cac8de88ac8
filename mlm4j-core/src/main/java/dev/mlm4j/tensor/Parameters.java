package dev.mlm4j.tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A model's trainable fp32 parameters by transformers' name, scoped as {@link Gradients} is (each block registers its
 * tensors under the keys its forward loaded from), so an optimiser pairs {@code parameters().get(name)} with
 * {@code gradients.get(name)}. The tensors are the ones the forward reads: an optimiser updates them in place, then
 * calls {@link #afterStep()}, which lets blocks that keep another layout (a linear layer's packed GEMM panels) rebuild it.
 * A tensor used twice (the tied word embeddings and MLM decoder) is registered once.
 */
public final class Parameters {
    private final Map<String, FloatTensor> all;  // full name → the live tensor, in registration order
    private final Set<Runnable> refreshes;       // what to rebuild after a step, each once
    private final String prefix;

    public Parameters() {
        this(new LinkedHashMap<>(), new LinkedHashSet<>(), "");
    }

    private Parameters(Map<String, FloatTensor> all, Set<Runnable> refreshes, String prefix) {
        this.all = all;
        this.refreshes = refreshes;
        this.prefix = prefix;
    }

    public Parameters prefix(String name) {
        return new Parameters(all, refreshes, key(name));
    }

    public Parameters prefix(String name, int index) {
        return new Parameters(all, refreshes, key(name) + "." + index);
    }

    /** The full name of a leaf under this scope. */
    public String key(String leaf) {
        return prefix.isEmpty() ? leaf : prefix + "." + leaf;
    }

    /** Registers {@code value} (contiguous, updated in place by the optimiser) as {@code leaf} of this scope. */
    public void add(String leaf, FloatTensor value) {
        add(leaf, value, null);
    }

    /** Registers {@code value}, and {@code afterStep} (or null) to run once after every optimiser step that changed it. */
    public void add(String leaf, FloatTensor value, Runnable afterStep) {
        if (!value.isContiguous()) throw new IllegalArgumentException("parameter '" + key(leaf) + "' must be contiguous: " + value);
        if (all.putIfAbsent(key(leaf), value) != null) throw new IllegalArgumentException("parameter '" + key(leaf) + "' registered twice");
        if (afterStep != null) refreshes.add(afterStep);
    }

    /** The parameter of a full name, or null. */
    public FloatTensor get(String fullName) {
        return all.get(fullName);
    }

    /** Every parameter by full name, in registration order. */
    public Map<String, FloatTensor> all() {
        return Collections.unmodifiableMap(all);
    }

    /** Rebuilds every derived layout from the (updated) parameters: call after each optimiser step. */
    public void afterStep() {
        for (Runnable r : refreshes) r.run();
    }
}
