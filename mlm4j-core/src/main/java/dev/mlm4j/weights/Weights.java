package dev.mlm4j.weights;

import dev.mlm4j.kernels.PackedCache;
import dev.mlm4j.kernels.PackedMatrix;
import dev.mlm4j.tensor.FloatTensor;

import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

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
    /** Scratch buffers {@link #scratch} may use at once (query, key and value of a fused projection). */
    public static final int SCRATCH_SLOTS = 4;

    private final TensorSource source;
    private final String prefix;
    private final float[][] scratch; // shared by every scope of one root; slot → buffer, grown on demand

    /** The root scope. Not for concurrent use: its scopes share the {@link #scratch} buffers. */
    public Weights(TensorSource source) {
        this(source, "", new float[SCRATCH_SLOTS][]);
    }

    private Weights(TensorSource source, String prefix, float[][] scratch) {
        this.source = source;
        this.prefix = prefix;
        this.scratch = scratch;
    }

    public Weights prefix(String name) {
        return new Weights(source, key(name), scratch);
    }

    public Weights prefix(String name, int index) {
        return new Weights(source, key(name) + "." + index, scratch);
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
        long n = checked(key, expectedShape).elements();
        return finite(key, source.load(key), n);
    }

    /**
     * Loads {@code leaf} into the root's scratch buffer {@code slot} (0 … {@link #SCRATCH_SLOTS} − 1) instead of a
     * fresh array, possibly as a strided view ({@link TensorSource#loadInto}): for a weight the caller copies into
     * its own layout at once (a linear layer packing it), so loading a model does not leave its weights' size in
     * garbage behind. The result is valid until the slot is loaded again.
     */
    public FloatTensor scratch(String leaf, int slot, int... expectedShape) {
        String key = key(leaf);
        long n = checked(key, expectedShape).elements();
        if (n <= Integer.MAX_VALUE - 16 && (scratch[slot] == null || scratch[slot].length < n)) scratch[slot] = new float[(int) n];
        return finite(key, source.loadInto(key, scratch[slot]), n);
    }

    /**
     * The packed (GEMM-layout) weight of the leaves {@code weight} under {@code scopes} (one for a plain layer, several
     * for a fused one), {@code (Σ out, in)}: read from the source's {@link TensorSource#packedCache() packed cache}
     * when it holds them, else made by {@code pack} (and kept for the cache). Either way each leaf must exist in the
     * checkpoint with the expected shape {@code (outs[i], in)}.
     */
    public static PackedMatrix packed(Weights[] scopes, int in, int[] outs, Supplier<PackedMatrix> pack) {
        StringBuilder key = new StringBuilder();
        int out = 0;
        for (int i = 0; i < scopes.length; i++) {
            String leaf = scopes[i].key("weight");
            scopes[i].checked(leaf, outs[i], in);
            key.append(i == 0 ? "" : "+").append(leaf);
            out += outs[i];
        }
        PackedCache cache = scopes[0].source.packedCache();
        return cache == null ? pack.get() : cache.get(key.toString(), in, out, pack);
    }

    /**
     * Every weight the model loads passes here once, right after its copy out of the file: a NaN or an infinity
     * (a corrupt file, a diverged training run) is refused by name instead of turning every score into NaN.
     * The scan is one pass of integer ORs over data already in cache from the copy (C2 vectorises it).
     */
    private FloatTensor finite(String key, FloatTensor t, long n) {
        float[] d = t.data();
        int from = t.offset(), to = (int) Math.min(d.length, from + n);
        if (!allFinite(d, from, to)) {
            for (int i = from; i < to; i++) {
                if (!Float.isFinite(d[i])) {
                    throw new WeightException("weight '" + key + "' in " + source.origin() + " holds " + d[i] + " at element " + (i - from)
                            + " of " + n + ": a corrupt or diverged checkpoint (a model with NaN or infinite weights computes NaN)");
                }
            }
        }
        return t;
    }

    /** Whether {@code d[from, to)} holds no NaN and no infinity: an exponent of all ones becomes the sign bit of an OR. */
    static boolean allFinite(float[] d, int from, int to) {
        int acc = 0;
        for (int i = from; i < to; i++) acc |= (Float.floatToRawIntBits(d[i]) & 0x7f800000) + 0x00800000;
        return acc >= 0;
    }

    /** What the checkpoint says of {@code key}, after checking it exists with the expected shape. */
    private TensorInfo checked(String key, int... expectedShape) {
        TensorInfo info = source.info(key);
        if (info == null) {
            throw new WeightException("missing weight '" + key + "' in " + source.origin() + nearby(key));
        }
        if (expectedShape.length > 0 && !Arrays.equals(info.shape(), expectedShape)) {
            throw new WeightException("weight '" + key + "' in " + source.origin() + " has shape "
                    + Arrays.toString(info.shape()) + ", the configuration expects " + Arrays.toString(expectedShape));
        }
        return info;
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
