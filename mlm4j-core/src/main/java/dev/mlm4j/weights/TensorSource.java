package dev.mlm4j.weights;

import dev.mlm4j.tensor.FloatTensor;

import java.io.Closeable;
import java.util.Set;

/**
 * Named tensors from one checkpoint, whatever its format: the loading edge. Every format reader
 * (TensorFlow checkpoint, ONNX, safetensors) presents its tensors under <b>Hugging Face's parameter
 * names and layouts</b> — {@code bert.encoder.layer.0.attention.self.query.weight} shaped
 * {@code [out, in]} like a PyTorch {@code nn.Linear} — so the model tree never sees a format.
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

    /**
     * The tensor as float32 on the heap (F16 and BF16 widened). Throws {@link WeightException}
     * naming the tensor and the file when it is absent, truncated or corrupt.
     */
    FloatTensor load(String name);

    @Override
    default void close() {}
}
