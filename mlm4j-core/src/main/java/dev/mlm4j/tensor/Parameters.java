package dev.mlm4j.tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's trainable fp32 parameters by transformers' name, scoped as {@link Gradients} is (each block registers its
 * tensors under the keys its forward loaded from), so an optimiser pairs {@code parameters().get(name)} with
 * {@code gradients.get(name)}. The tensors are the ones the forward reads: an optimiser updates them in place and the
 * next forward sees the new values (no block keeps another layout of a trained weight: a linear layer packs its master
 * per use, {@link dev.mlm4j.layers.Linear#parameters}).
 * A tensor used twice (the tied word embeddings and MLM decoder) is registered once.
 */
public final class Parameters {
    private final Map<String, FloatTensor> all;  // full name → the live tensor, in registration order
    private final String prefix;

    public Parameters() {
        this(new LinkedHashMap<>(), "");
    }

    private Parameters(Map<String, FloatTensor> all, String prefix) {
        this.all = all;
        this.prefix = prefix;
    }

    public Parameters prefix(String name) {
        return new Parameters(all, key(name));
    }

    public Parameters prefix(String name, int index) {
        return new Parameters(all, key(name) + "." + index);
    }

    /** The full name of a leaf under this scope. */
    public String key(String leaf) {
        return prefix.isEmpty() ? leaf : prefix + "." + leaf;
    }

    /** Registers {@code value} (contiguous, updated in place by the optimiser) as {@code leaf} of this scope. */
    public void add(String leaf, FloatTensor value) {
        if (!value.isContiguous()) throw new IllegalArgumentException("parameter '" + key(leaf) + "' must be contiguous: " + value);
        if (all.putIfAbsent(key(leaf), value) != null) throw new IllegalArgumentException("parameter '" + key(leaf) + "' registered twice");
    }

    /** The parameter of a full name, or null. */
    public FloatTensor get(String fullName) {
        return all.get(fullName);
    }

    /** Every parameter by full name, in registration order. */
    public Map<String, FloatTensor> all() {
        return Collections.unmodifiableMap(all);
    }
}
