package dev.mlm4j.tensor;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The gradients of a backward pass, by parameter name, scoped the way {@code weights.Weights} is, so each block's
 * backward writes under the same keys its forward loaded from: {@code g.prefix("encoder").prefix("layer", 3)
 * .prefix("output").prefix("dense").tensor("weight", 768, 3072)} is the gradient of
 * {@code encoder.layer.3.output.dense.weight} (relative to the root's scope). A tensor is created zero-filled on first
 * use and accumulated into afterwards (+=), as PyTorch's {@code .grad}; a parameter used twice (the tied word
 * embeddings: lookup and MLM decoder) sums both. For one backward pass on one thread.
 * <p>
 * A training loop keeps one root for the whole run and calls {@link #zero()} before each step (PyTorch's
 * {@code zero_grad()}): the tensors stay allocated and are zero-filled on their next use, not made anew, so a step
 * allocates no gradient memory after the first (llm.c's buffers sized once). Only the tensors used since the last
 * {@code zero()} are visible ({@link #get}, {@link #all}): a parameter without a gradient this step still has none,
 * as with {@code zero_grad(set_to_none=True)}.
 */
public final class Gradients {
    private final Map<String, FloatTensor> all;     // full name → gradient, shared by every scope of one root
    private final Map<String, FloatTensor> written; // those used since the last zero(): the visible ones
    private final Set<String> filled;               // kept ones zero-filled by zero(fill) and not handed out since
    private final Map<String, FloatTensor> stacks;  // the parts' full names, joined → the one tensor they are slices of ({@link #stacked})
    private final String prefix;

    public Gradients() {
        this(new TreeMap<>(), new TreeMap<>(), new HashSet<>(), new HashMap<>(), "");
    }

    private Gradients(Map<String, FloatTensor> all, Map<String, FloatTensor> written, Set<String> filled, Map<String, FloatTensor> stacks, String prefix) {
        this.all = all;
        this.written = written;
        this.filled = filled;
        this.stacks = stacks;
        this.prefix = prefix;
    }

    public Gradients prefix(String name) {
        return new Gradients(all, written, filled, stacks, key(name));
    }

    public Gradients prefix(String name, int index) {
        return new Gradients(all, written, filled, stacks, key(name) + "." + index);
    }

    /**
     * Forgets this step's gradients (call on the root): every tensor is kept for reuse and is zero-filled when a
     * backward pass next asks for it; until then none is visible.
     */
    public void zero() {
        written.clear();
        filled.clear();
    }

    /**
     * {@link #zero()}, filling every kept tensor with zeros now through {@code fill} (which must write 0 to each of the
     * tensor's elements) instead of on its next use: a trainer hands in a parallel fill, so the fill of a step's
     * gradients (the word embeddings' alone are 47 MB for MiniLM) does not run on one thread while the others wait.
     * Nothing else changes: a tensor still becomes visible only when a backward pass asks for it.
     */
    public void zero(Consumer<FloatTensor> fill) {
        zero();
        for (Map.Entry<String, FloatTensor> e : all.entrySet()) {
            fill.accept(e.getValue());
            filled.add(e.getKey());
        }
    }

    /** The full name of a leaf under this scope. */
    public String key(String leaf) {
        return prefix.isEmpty() ? leaf : prefix + "." + leaf;
    }

    /** The gradient of {@code leaf}, zero-filled on first use; a later call must ask for the same shape. */
    public FloatTensor tensor(String leaf, int... shape) {
        String key = key(leaf);
        FloatTensor t = written.get(key);
        if (t == null) {
            t = all.get(key);
            if (t != null && Arrays.equals(t.shape(), shape)) {
                if (!filled.remove(key)) Arrays.fill(t.data(), t.offset(), t.offset() + t.size(), 0f);
            } else {
                all.put(key, t = FloatTensor.zeros(shape));
            }
            written.put(key, t);
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("gradient '" + key + "' is " + Arrays.toString(t.shape()) + ", asked for " + Arrays.toString(shape));
        }
        return t;
    }

    /**
     * The gradients of {@code leaf} under each of {@code scopes}, each of {@code shape}, as one tensor whose row block i
     * is part i: {@code (n · shape[0], shape[1…])}. A fused projection's backward (query | key | value computed by one
     * GEMM) accumulates into it directly, with no buffer to zero and add to each part after. The parts are made as
     * consecutive slices of one array on their first use and each is zero-filled on its first use in a step, as
     * {@link #tensor} does; null when they exist and are not so laid out (one was first asked for on its own) — then ask
     * {@link #tensor} for each.
     */
    public FloatTensor stacked(String[] scopes, String leaf, int... shape) {
        String[] keys = new String[scopes.length];
        for (int i = 0; i < keys.length; i++) keys[i] = prefix(scopes[i]).key(leaf);
        String id = String.join("\n", keys);
        FloatTensor whole = stacks.get(id);
        if (whole == null) {
            for (String key : keys) if (all.containsKey(key)) return null;
            int[] wholeShape = shape.clone();
            wholeShape[0] *= keys.length;
            whole = FloatTensor.zeros(wholeShape);
            stacks.put(id, whole);
            for (int i = 0; i < keys.length; i++) all.put(keys[i], whole.slice(i * shape[0], shape[0]));
        }
        for (int i = 0; i < keys.length; i++) {
            FloatTensor part = all.get(keys[i]);
            if (part.data() != whole.data() || part.offset() != whole.offset() + i * part.size() || !Arrays.equals(part.shape(), shape)) return null;
        }
        for (String scope : scopes) prefix(scope).tensor(leaf, shape);   // visible this step, zero-filled on first use
        return whole;
    }

    /** The gradient of a full name, or null when the backward pass wrote none. */
    public FloatTensor get(String fullName) {
        return written.get(fullName);
    }

    /** Every gradient written since the last {@link #zero()}, by full name, sorted. */
    public Map<String, FloatTensor> all() {
        return Collections.unmodifiableMap(written);
    }
}
