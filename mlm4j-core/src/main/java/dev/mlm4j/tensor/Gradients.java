package dev.mlm4j.tensor;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The gradients of a backward pass, by parameter name, scoped the way {@code weights.Weights} is, so each block's
 * backward writes under the same keys its forward loaded from: {@code g.prefix("encoder").prefix("layer", 3)
 * .prefix("output").prefix("dense").tensor("weight", 768, 3072)} is the gradient of
 * {@code encoder.layer.3.output.dense.weight} (relative to the root's scope). A tensor is created zero-filled on first
 * use and accumulated into afterwards (+=), as PyTorch's {@code .grad}; a parameter used twice (the tied word
 * embeddings: lookup and MLM decoder) sums both. For one backward pass on one thread.
 */
public final class Gradients {
    private final Map<String, FloatTensor> all; // full name → gradient, shared by every scope of one root
    private final String prefix;

    public Gradients() {
        this(new TreeMap<>(), "");
    }

    private Gradients(Map<String, FloatTensor> all, String prefix) {
        this.all = all;
        this.prefix = prefix;
    }

    public Gradients prefix(String name) {
        return new Gradients(all, key(name));
    }

    public Gradients prefix(String name, int index) {
        return new Gradients(all, key(name) + "." + index);
    }

    /** The full name of a leaf under this scope. */
    public String key(String leaf) {
        return prefix.isEmpty() ? leaf : prefix + "." + leaf;
    }

    /** The gradient of {@code leaf}, zero-filled on first use; a later call must ask for the same shape. */
    public FloatTensor tensor(String leaf, int... shape) {
        String key = key(leaf);
        FloatTensor t = all.computeIfAbsent(key, k -> FloatTensor.zeros(shape));
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("gradient '" + key + "' is " + Arrays.toString(t.shape()) + ", asked for " + Arrays.toString(shape));
        }
        return t;
    }

    /** The gradient of a full name, or null when the backward pass wrote none. */
    public FloatTensor get(String fullName) {
        return all.get(fullName);
    }

    /** Every gradient written, by full name, sorted. */
    public Map<String, FloatTensor> all() {
        return Collections.unmodifiableMap(all);
    }
}
