package dev.mlm4j.weights;

import dev.mlm4j.tensor.FloatTensor;

import java.util.Arrays;
import java.util.List;

/**
 * Scoped access to a {@link TensorSource}, so a model class loads its own weights by leaf name and the
 * class tree mirrors the checkpoint's key tree (candle's {@code vb.pp("attention")}):
 * <pre>
 *   Weights layer = root.prefix("encoder").prefix("layer", 3);
 *   FloatTensor w = layer.prefix("attention").prefix("self").prefix("query").tensor("weight", 768, 768);
 * </pre>
 * A missing key or a wrong shape fails loudly with the full key and the file.
 */
public final class Weights {
    private final TensorSource source;
    private final String prefix;

    public Weights(TensorSource source) {
        this(source, "");
    }

    private Weights(TensorSource source, String prefix) {
        this.source = source;
        this.prefix = prefix;
    }

    public Weights prefix(String name) {
        return new Weights(source, key(name));
    }

    public Weights prefix(String name, int index) {
        return new Weights(source, key(name) + "." + index);
    }

    /** The full key of a leaf under this scope. */
    public String key(String leaf) {
        return prefix.isEmpty() ? leaf : prefix + "." + leaf;
    }

    public boolean has(String leaf) {
        return source.contains(key(leaf));
    }

    public TensorSource source() {
        return source;
    }

    /** Loads {@code leaf}, checking its shape when {@code expectedShape} is given. */
    public FloatTensor tensor(String leaf, int... expectedShape) {
        String key = key(leaf);
        TensorInfo info = source.info(key);
        if (info == null) {
            throw new WeightException("missing weight '" + key + "' in " + source.origin() + nearby(key));
        }
        if (expectedShape.length > 0 && !Arrays.equals(info.shape(), expectedShape)) {
            throw new WeightException("weight '" + key + "' in " + source.origin() + " has shape "
                    + Arrays.toString(info.shape()) + ", the configuration expects " + Arrays.toString(expectedShape));
        }
        return source.load(key);
    }

    /** A hint listing a few names under the same scope, so a misnamed checkpoint is easy to diagnose. */
    private String nearby(String key) {
        String scope = key.contains(".") ? key.substring(0, key.lastIndexOf('.') + 1) : "";
        List<String> same = source.names().stream().filter(n -> n.startsWith(scope)).sorted().limit(5).toList();
        if (same.isEmpty()) {
            List<String> any = source.names().stream().sorted().limit(5).toList();
            return any.isEmpty() ? " (it holds no tensors)" : " (it holds e.g. " + String.join(", ", any) + ")";
        }
        return " (under '" + scope + "' it holds " + String.join(", ", same) + ")";
    }
}
