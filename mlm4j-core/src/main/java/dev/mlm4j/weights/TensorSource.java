package dev.mlm4j.weights;

import dev.mlm4j.kernels.PackedCache;
import dev.mlm4j.tensor.FloatTensor;

import java.io.Closeable;
import java.util.Set;

/**
 * Named tensors from one checkpoint, whatever its format: the loading edge. Every format reader
 * (TensorFlow checkpoint, ONNX, safetensors) presents its tensors under <b>Hugging Face's parameter
 * names and layouts</b> — {@code bert.encoder.layer.0.attention.self.query.weight} shaped
 * {@code [out, in]} like a PyTorch {@code nn.Linear} — so the model tree never sees a format.
 *
 * <p><b>Canonical names.</b> The base model's parameters always carry the {@code bert.} prefix, as in
 * {@code BertForMaskedLM}: {@code bert.embeddings.word_embeddings.weight} {@code [vocab, hidden]},
 * {@code bert.encoder.layer.N.attention.self.query.weight} {@code [out, in]}, {@code ...query.bias},
 * {@code bert.encoder.layer.N.attention.output.dense.weight}, {@code ...attention.output.LayerNorm.weight/bias},
 * {@code ...intermediate.dense.weight}, {@code ...output.dense.weight}, {@code ...output.LayerNorm.weight/bias},
 * {@code bert.embeddings.position_embeddings.weight}, {@code bert.embeddings.token_type_embeddings.weight},
 * {@code bert.embeddings.LayerNorm.weight/bias}, {@code bert.pooler.dense.weight/bias}. Heads keep their
 * own names ({@code cls.predictions.*}). A checkpoint saved from a bare {@code BertModel} (no prefix, as
 * sentence-transformers, MiniLM and BGE are) is normalised by adding {@code bert.}; legacy LayerNorm names
 * {@code gamma}/{@code beta} become {@code weight}/{@code bias}. {@link CanonicalNames#canonical} is the
 * one place that rule lives. The model loads {@code bert.*} and {@code cls.*} names only.
 */
public interface TensorSource extends Closeable {

    /** Where the tensors come from (a path), for messages. */
    String origin();

    /** All tensor names, in Hugging Face form. */
    Set<String> names();

    /** Type and shape of {@code name}, or null when absent. */
    TensorInfo info(String name);

    default boolean contains(String name) {
        return info(name) != null;
    }

    /** Whether any tensor's name starts with {@code prefix} (e.g. {@code "classifier."}: the checkpoint carries that head, maybe partly). */
    default boolean containsAnyUnder(String prefix) {
        return names().stream().anyMatch(n -> n.startsWith(prefix));
    }

    /**
     * The tensor as float32 on the heap (F16 and BF16 widened). Throws {@link WeightException}
     * naming the tensor and the file when it is absent, truncated or corrupt.
     */
    FloatTensor load(String name);

    /**
     * {@link #load}, for a caller that copies the data into another layout at once (weight packing): the
     * elements go into {@code buffer} when it is large enough (a new array otherwise), and the result may be a
     * strided view, not a contiguous copy (a format storing a dense kernel as {@code [in, out]} returns it
     * untransposed, as {@link FloatTensor#transposed()}). So loading a model makes no garbage the size of its
     * weights. The view is valid until {@code buffer} is reused.
     */
    default FloatTensor loadInto(String name, float[] buffer) {
        return load(name);
    }

    /** Where linear layers find their weights already packed ({@link Weights#packed}); null: they pack them. */
    default PackedCache packedCache() {
        return null;
    }

    /**
     * {@code source}, whose linear layers read their packed weights from {@code cache} when it holds them (and record
     * the ones it does not). Closing the result does not close {@code source}.
     */
    static TensorSource withPackedCache(TensorSource source, PackedCache cache) {
        return new TensorSource() {
            @Override public String origin() { return source.origin(); }
            @Override public Set<String> names() { return source.names(); }
            @Override public TensorInfo info(String name) { return source.info(name); }
            @Override public boolean contains(String name) { return source.contains(name); }
            @Override public boolean containsAnyUnder(String prefix) { return source.containsAnyUnder(prefix); }
            @Override public FloatTensor load(String name) { return source.load(name); }
            @Override public FloatTensor loadInto(String name, float[] buffer) { return source.loadInto(name, buffer); }
            @Override public PackedCache packedCache() { return cache; }
            @Override public boolean quantizesInput(String weightName) { return source.quantizesInput(weightName); }
        };
    }

    /**
     * Whether the linear layer whose weight is {@code weightName} was published to run on its input rounded to 8 bits at
     * run time, as ONNX Runtime runs the int8 files of its dynamic quantization ({@code DynamicQuantizeLinear} before
     * {@code MatMulInteger}); false for ordinary checkpoints. {@link dev.mlm4j.layers.Linear} then does the same rounding.
     */
    default boolean quantizesInput(String weightName) {
        return false;
    }

    @Override
    default void close() {}
}
