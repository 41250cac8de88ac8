package dev.mlm4j.weights;

import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.model.TestModels;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.safetensors.SafetensorsCheckpoint;
import dev.mlm4j.weights.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link TensorSource#loadInto} — the loading path linear layers take, into a reused buffer and possibly as a
 * transposed view — presents every tensor with the same shape and elements as {@link TensorSource#load}, in all
 * three formats: the TensorFlow checkpoint (bert-base-uncased, kernels stored [in, out]), ONNX (all-MiniLM-L6-v2,
 * MatMul weights stored [in, out]) and safetensors (stored [out, in]).
 */
class LoadIntoTest {

    @Test
    void tensorflowCheckpoint() {
        try (Checkpoint c = TestModels.checkpoint("bert-base-uncased")) {
            assertSameAsLoad(c.tensors(), "bert.encoder.layer.3.intermediate.dense.weight");
        }
    }

    @Test
    void onnx() {
        try (Checkpoint c = TestModels.checkpoint("all-MiniLM-L6-v2")) {
            assertSameAsLoad(c.tensors(), "bert.encoder.layer.0.attention.self.query.weight");
        }
    }

    @Test
    void safetensors(@TempDir Path dir) {
        Map<String, FloatTensor> tensors = new TreeMap<>();
        try (Checkpoint c = TestModels.checkpoint("all-MiniLM-L6-v2")) {
            for (String n : c.tensors().names()) {
                if (isFloat(c.tensors(), n) && (n.contains("layer.0.") || n.contains("embeddings"))) tensors.put(n, c.tensors().load(n));
            }
        }
        Path file = dir.resolve(SafetensorsCheckpoint.SINGLE_FILE);
        SafetensorsWriter.write(file, tensors, Map.of());
        try (SafetensorsCheckpoint s = SafetensorsCheckpoint.open(file)) {
            assertSameAsLoad(s, "bert.encoder.layer.0.attention.self.query.weight");
        }
    }

    private static boolean isFloat(TensorSource s, String name) {
        DType t = s.info(name).dtype();
        return t == DType.F32 || t == DType.F16 || t == DType.BF16 || t == DType.F64;
    }

    /** Every tensor equal to load(), read into the buffer when it fits; dense kernels stored [in, out] come as views. */
    private static void assertSameAsLoad(TensorSource source, String aDenseWeight) {
        float[] buffer = new float[1 << 22];
        int views = 0;
        for (String name : source.names()) {
            if (!isFloat(source, name)) continue;   // e.g. ONNX's int64 position_ids: load refuses those too
            FloatTensor loaded = source.load(name), into = source.loadInto(name, buffer);
            assertArrayEquals(loaded.shape(), into.shape(), name);
            assertArrayEquals(loaded.toArray(), into.toArray(), name);
            if (loaded.size() <= buffer.length) assertSame(buffer, into.data(), name + " should be read into the buffer");
            if (!into.isContiguous()) views++;
        }
        FloatTensor w = source.loadInto(aDenseWeight, buffer);
        assertEquals(2, w.rank());
        // a kernel stored [in, out] comes as a view with unit stride along out, else row-major
        assertTrue(w.isContiguous() || w.stride(0) == 1, aDenseWeight + ": " + w);
        if (!(source instanceof SafetensorsCheckpoint)) assertTrue(views > 0, "no [in, out] kernel presented as a view");
    }
}
