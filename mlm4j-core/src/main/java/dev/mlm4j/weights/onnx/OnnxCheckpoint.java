package dev.mlm4j.weights.onnx;

import dev.mlm4j.config.BertConfig;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Layouts;
import dev.mlm4j.weights.TensorInfo;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.WeightException;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * The weights of a BERT-family encoder exported to ONNX (as by {@code torch.onnx.export} through
 * optimum or sentence-transformers), under Hugging Face names and layouts; mlm4j does not run the
 * graph, it reads the graph only to name the weights and to infer the {@link BertConfig}.
 *
 * <pre>
 *   try (OnnxCheckpoint onnx = OnnxCheckpoint.open(Path.of("all-minilm-l6-v2.onnx"))) {
 *       BertConfig config = onnx.config();                 // 6 layers, hidden 384, 12 heads of 32
 *       FloatTensor q = new Weights(onnx).prefix("bert").prefix("encoder").prefix("layer", 0)
 *               .prefix("attention").prefix("self").prefix("query").tensor("weight", 384, 384);
 *   }
 * </pre>
 *
 * <p>How the graph is read is described in {@link BertGraphMapping}. An int8 file of onnxruntime's dynamic
 * quantization ({@code quantize_dynamic}: MatMulInteger weights with a scale and zero point per output column,
 * embedding tables through DequantizeLinear) presents its weights dequantized to float32, {@code (q − zero point) · scale},
 * and says which linear layers round their input at run time ({@link #quantizesInput}). The file is memory-mapped;
 * {@link #load} decodes one tensor at a time onto the heap (transposing linear weights from ONNX's
 * {@code [in, out]}), so nothing but the loaded tensors and the small graph live on the heap.
 * Thread-safe; {@link #close} unmaps the file, after which loads fail.
 */
public final class OnnxCheckpoint implements TensorSource {
    private final OnnxFile file;
    private final BertGraphMapping mapping;
    private volatile boolean closed;

    private OnnxCheckpoint(OnnxFile file, BertGraphMapping mapping) {
        this.file = file;
        this.mapping = mapping;
    }

    /**
     * Maps and parses {@code file}, names its weights and infers the configuration. Throws
     * {@link WeightException} when the file is truncated or corrupt, or when the graph is not a BERT
     * encoder this reader understands (the message says what was missing).
     */
    public static OnnxCheckpoint open(Path file) {
        OnnxFile f = OnnxFile.open(file);
        try {
            return new OnnxCheckpoint(f, new BertGraphMapping(new OnnxGraph(f)));
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /**
     * The architecture read off the graph: sizes from the weights' shapes, {@code num_attention_heads}
     * from the Reshape that splits the query into heads, {@code layer_norm_eps} from the LayerNorms,
     * {@code hidden_act} from the activation's nodes. {@code pad_token_id} is not in a graph: 0, BERT's.
     */
    public BertConfig config() {
        return mapping.config;
    }

    /** Where a presented tensor comes from: an initializer, and whether it is stored {@code [in, out]} and transposed on load. */
    public record Source(String initializer, boolean transposed) {}

    /** The initializer behind {@code name}, or null when absent. */
    public Source source(String name) {
        BertGraphMapping.Entry e = mapping.entries.get(name);
        return e == null ? null : new Source(e.initializer().getName(), e.transpose());
    }

    /** Float matrices in the file that no rule could name (not presented); empty for a plain BERT export. */
    public List<String> unplacedInitializers() {
        return Collections.unmodifiableList(mapping.unplaced);
    }

    /** True for the linear weights of a MatMulInteger whose input comes from a DynamicQuantizeLinear. */
    @Override
    public boolean quantizesInput(String weightName) {
        return mapping.dynamicInputs.contains(weightName);
    }

    @Override
    public String origin() {
        return file.path.toString();
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(mapping.entries.keySet());
    }

    @Override
    public TensorInfo info(String name) {
        BertGraphMapping.Entry e = mapping.entries.get(name);
        return e == null ? null : new TensorInfo(name, e.dtype(), e.shape().clone());
    }

    /** {@link #loadInto} into a fresh array, MatMul weights transposed to {@code [out, in]}. */
    @Override
    public FloatTensor load(String name) {
        return Layouts.contiguous(loadInto(name, null));
    }

    /** Reads into {@code buffer} and leaves MatMul weights untransposed, as strided {@code [out, in]} views. */
    @Override
    public FloatTensor loadInto(String name, float[] buffer) {
        if (closed) throw new WeightException(origin() + " is closed; cannot load '" + name + "'");
        BertGraphMapping.Entry e = mapping.entries.get(name);
        if (e == null) throw new WeightException("no tensor '" + name + "' in " + origin());
        float[] raw;
        try {
            BertGraphMapping.Quantization q = e.quantization();
            raw = q == null ? file.floats(e.initializer(), buffer)
                    : file.dequantized(e.initializer(), q.scale(), q.zeroPoint(), q.axis(), buffer);
        } catch (WeightException x) {
            throw new WeightException("cannot load '" + name + "': " + x.getMessage(), x);
        }
        int[] shape = e.shape();
        return Layouts.view(raw, shape, e.transpose());
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        file.close();
    }
}
