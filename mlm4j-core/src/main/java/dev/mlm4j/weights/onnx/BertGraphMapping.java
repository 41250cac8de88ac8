package dev.mlm4j.weights.onnx;

import dev.mlm4j.config.BertConfig;
import dev.mlm4j.weights.CanonicalNames;
import dev.mlm4j.weights.DType;
import dev.mlm4j.weights.WeightException;
import dev.mlm4j.weights.onnx.OnnxProto.AttributeProto;
import dev.mlm4j.weights.onnx.OnnxProto.NodeProto;
import dev.mlm4j.weights.onnx.OnnxProto.TensorProto;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names an exported BERT's ONNX initializers the Hugging Face way and reads its configuration off the
 * graph.
 *
 * <p>PyTorch's exporter keeps parameter names for the initializers it uses as they are (biases,
 * LayerNorms, embeddings) but hands the linear weights to {@code MatMul} as anonymous, pre-transposed
 * {@code onnx::MatMul_NNN} initializers shaped {@code [in, out]}. Those are named by following the graph:
 * a {@code MatMul} whose output is added to {@code encoder.layer.3.attention.self.query.bias} multiplies
 * by the query weight of layer 3 ({@code Gemm} carries its bias as an input, and {@code transB} says the
 * weight's layout). When no named bias follows, the node's module path ({@code /encoder/layer.3/.../MatMul})
 * is the fallback. Weights are presented as {@code [out, in]} like {@code nn.Linear}.
 */
final class BertGraphMapping {

    /**
     * One presented tensor: its initializer, whether it is stored {@code [in, out]} and must be transposed, and, for an
     * integer initializer of a quantized graph, how it becomes float (null for a float initializer).
     */
    record Entry(String name, TensorProto initializer, DType dtype, boolean transpose, int[] shape, Quantization quantization) {
        Entry(String name, TensorProto initializer, DType dtype, boolean transpose, int[] shape) {
            this(name, initializer, dtype, transpose, shape, null);
        }
    }

    /**
     * How an INT8/UINT8 initializer becomes float32, as ONNX's {@code DequantizeLinear} defines it:
     * {@code (q - zeroPoint) · scale}, with one scale and zero point for the whole tensor ({@code axis} -1) or one per
     * index along {@code axis} of the stored tensor. {@code zeroPoint} may be null (0).
     */
    record Quantization(TensorProto scale, TensorProto zeroPoint, int axis) {}

    /** The linear modules of one encoder layer, with the words messages use for them. */
    private static final String[][] LAYER_LINEARS = {
        {"attention.self.query", "query projection"},
        {"attention.self.key", "key projection"},
        {"attention.self.value", "value projection"},
        {"attention.output.dense", "attention output projection"},
        {"intermediate.dense", "intermediate (feed-forward up) projection"},
        {"output.dense", "output (feed-forward down) projection"},
    };
    private static final String[] LAYER_NORMS = {"attention.output.LayerNorm", "output.LayerNorm"};
    private static final String EMB = CanonicalNames.BASE_PREFIX + "embeddings.";
    private static final String LAYER = CanonicalNames.BASE_PREFIX + "encoder.layer.";
    private static final Pattern LAYER_INDEX = Pattern.compile(Pattern.quote(LAYER) + "(\\d+)\\.");

    /** Ops of graphs this reader does not take apart: quantized weights and ONNX Runtime's fused blocks. */
    private static final Set<String> QUANTIZED_OPS = Set.of("DequantizeLinear", "QLinearMatMul", "MatMulInteger",
            "DynamicQuantizeMatMul", "MatMulNBits", "QAttention", "MatMulIntegerToFloat");
    private static final Set<String> FUSED_OPS = Set.of("Attention", "MultiHeadAttention", "EmbedLayerNormalization",
            "PackedAttention", "GroupQueryAttention");

    private final OnnxGraph g;
    private final String origin;
    final Map<String, Entry> entries = new TreeMap<>();
    /** Initializer names of rank-2 weights that no rule could name. */
    final List<String> unplaced = new ArrayList<>();
    /** Canonical module ({@code bert.encoder.layer.0.attention.self.query}) → the value its linear produces. */
    private final Map<String, String> projectionOutputs = new HashMap<>();
    private final Set<String> layoutDecided = new HashSet<>();
    /** Initializers that are parts of a quantized weight (its integers, scale, zero point): never presented by their own names. */
    private final Set<String> quantizationParts = new HashSet<>();
    /** Linear weights (canonical names) whose MatMulInteger takes its input from a DynamicQuantizeLinear. */
    final Set<String> dynamicInputs = new HashSet<>();
    final BertConfig config;

    BertGraphMapping(OnnxGraph g) {
        this.g = g;
        this.origin = g.file.path.toString();
        findQuantizationParts();
        nameInitializers();
        placeDequantizedTables();
        placeLinearWeights();
        int layers = checkStructure();
        config = inferConfig(layers);
        checkShapes();
        for (Entry e : entries.values()) g.file.checkData(e.initializer());
    }

    // ---- naming -------------------------------------------------------------------------------

    /** Initializers that already carry a parameter path keep it (canonicalised). */
    private void nameInitializers() {
        Map<String, String> claimedBy = new HashMap<>();
        for (TensorProto t : g.initializers.values()) {
            DType dtype = OnnxFile.dtype(t.getDataType());
            if (dtype == null || !CanonicalNames.isParameterPath(t.getName()) || quantizationParts.contains(t.getName())) continue;
            String name = CanonicalNames.canonical(t.getName());
            String other = claimedBy.put(name, t.getName());
            if (other != null) {
                throw new WeightException(origin + ": initializers '" + other + "' and '" + t.getName() + "' both normalise to '" + name + "'");
            }
            entries.put(name, new Entry(name, t, dtype, false, dims(t)));
        }
    }

    // ---- quantized graphs ---------------------------------------------------------------------
    // onnxruntime's dynamic quantization (quantize_dynamic, as in the "-q" / model_quantized.onnx exports) stores each
    // linear weight as an INT8 initializer [in, out] with a float scale and an integer zero point per output column,
    // multiplied by MatMulInteger (activations quantized at run time by DynamicQuantizeLinear), then Cast, Mul by
    // (activation scale · weight scale) and Add of the float bias; embedding tables are UINT8 with one scale and zero
    // point, read through Gather and DequantizeLinear. mlm4j presents those weights dequantized to float32.

    private void findQuantizationParts() {
        for (NodeProto n : g.graph.getNodeList()) {
            switch (n.getOpType()) {
                case "DequantizeLinear" -> {
                    for (int i = 1; i < n.getInputCount(); i++) quantizationParts.add(n.getInput(i));
                    TensorProto q = dequantizedInitializer(n);
                    if (q != null) quantizationParts.add(q.getName());
                }
                case "MatMulInteger" -> {
                    if (n.getInputCount() > 1) quantizationParts.add(n.getInput(1));
                    if (n.getInputCount() > 3) quantizationParts.add(n.getInput(3));
                    TensorProto scale = weightScale(n);
                    if (scale != null) quantizationParts.add(scale.getName());
                }
                default -> { }
            }
        }
    }

    /** The integer initializer a DequantizeLinear reads, directly or through a Gather of its rows; null otherwise. */
    private TensorProto dequantizedInitializer(NodeProto dq) {
        NodeProto p = g.producer(dq.getInput(0));
        String source = p != null && p.getOpType().equals("Gather") ? p.getInput(0) : dq.getInput(0);
        return g.initializer(source);
    }

    /** Tables stored quantized (the embeddings): named after their initializer without quantize_dynamic's {@code _quantized}. */
    private void placeDequantizedTables() {
        for (NodeProto n : g.graph.getNodeList()) {
            if (!n.getOpType().equals("DequantizeLinear") || n.getInputCount() < 2) continue;
            TensorProto q = dequantizedInitializer(n);
            if (q == null) continue;
            String base = q.getName().endsWith("_quantized") ? q.getName().substring(0, q.getName().length() - "_quantized".length()) : q.getName();
            if (!CanonicalNames.isParameterPath(base)) {
                unplaced.add(q.getName() + " " + OnnxFile.dims(q) + " (dequantized by '" + n.getName() + "')");
                continue;
            }
            TensorProto scale = g.constant(n.getInput(1));
            TensorProto zero = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? g.constant(n.getInput(2)) : null;
            String name = CanonicalNames.canonical(base);
            if (scale == null || OnnxFile.elements(scale) != 1 || (zero != null && OnnxFile.elements(zero) != 1)) {
                throw new WeightException(origin + ": '" + q.getName() + "' (" + name + ") is dequantized by '" + n.getName()
                        + "' with a scale or zero point that is not one constant; mlm4j reads per-tensor quantized tables only");
            }
            entries.put(name, new Entry(name, q, DType.F32, false, dims(q), quantization(q, scale, zero, -1)));
        }
    }

    /**
     * The value holding a MatMulInteger's product back in float: the {@code Mul} after its {@code Cast}; null when the
     * node is not followed that way.
     */
    private String dequantizedProduct(NodeProto matMulInteger) {
        String[] found = scaleMulAndFactor(matMulInteger);
        return found == null ? null : found[0];
    }

    /** {output of the Mul after the Cast, its other input}, or null. */
    private String[] scaleMulAndFactor(NodeProto matMulInteger) {
        for (NodeProto cast : g.consumers(matMulInteger.getOutput(0))) {
            if (!cast.getOpType().equals("Cast")) continue;
            String casted = cast.getOutput(0);
            for (NodeProto mul : g.consumers(casted)) {
                if (mul.getOpType().equals("Mul") && mul.getInputCount() == 2) {
                    return new String[] {mul.getOutput(0), mul.getInput(0).equals(casted) ? mul.getInput(1) : mul.getInput(0)};
                }
            }
        }
        return null;
    }

    /**
     * A MatMulInteger's weight scale: the constant factor of the {@code Mul} that scales its product, or the constant
     * the activation's run-time scale is multiplied by to make that factor; null when not found.
     */
    private TensorProto weightScale(NodeProto matMulInteger) {
        String[] found = scaleMulAndFactor(matMulInteger);
        if (found == null) return null;
        TensorProto direct = g.constant(found[1]);
        if (direct != null) return direct;
        NodeProto scales = g.producer(found[1]);
        if (scales == null || !scales.getOpType().equals("Mul")) return null;
        for (String in : scales.getInputList()) {
            TensorProto t = g.constant(in);
            if (t != null) return t;
        }
        return null;
    }

    /** The quantization of {@code q}, checked: float scale, integer zero point, one per tensor or one per index along {@code axis}. */
    private Quantization quantization(TensorProto q, TensorProto scale, TensorProto zero, int axis) {
        int per = axis < 0 ? 1 : (int) q.getDims(axis);
        int scales = OnnxFile.elements(scale), zeros = zero == null ? 1 : OnnxFile.elements(zero);
        if ((scales != 1 && scales != per) || (zeros != 1 && zeros != per)) {
            throw new WeightException(origin + ": '" + q.getName() + "' " + OnnxFile.dims(q) + " has " + scales + " scales and "
                    + zeros + " zero points; each must be one, or one per output (" + per + ")");
        }
        if (scales == 1 && zeros == 1) axis = -1;
        if (zero != null && zero.getDataType() != q.getDataType()) {
            throw new WeightException(origin + ": '" + q.getName() + "' is " + OnnxFile.typeName(q.getDataType())
                    + " but its zero point is " + OnnxFile.typeName(zero.getDataType()));
        }
        return new Quantization(scale, zero, axis);
    }

    /** Every MatMul/Gemm by a constant 2-D weight gets the weight named after the module it belongs to. */
    private void placeLinearWeights() {
        Set<String> placed = new HashSet<>();
        for (NodeProto node : g.graph.getNodeList()) {
            String op = node.getOpType();
            if (!(op.equals("MatMul") || op.equals("Gemm") || op.equals("MatMulInteger")) || node.getInputCount() < 2) continue;
            TensorProto w = null;
            boolean inOut; // stored [in, out] (as MatMul multiplies), so transposed for [out, in]
            boolean transB = op.equals("Gemm") && intAttribute(node, "transB", 0) == 1;
            String b = node.getInput(1);
            String product = node.getOutput(0); // the float value the bias is added to
            Quantization quant = null;
            if (op.equals("MatMulInteger")) {
                w = g.initializer(b);
                product = dequantizedProduct(node);
                TensorProto scale = weightScale(node);
                if (w == null || w.getDimsCount() != 2 || product == null || scale == null) continue;
                if (w.getDataType() != OnnxFile.INT8 && w.getDataType() != OnnxFile.UINT8) continue;
                TensorProto zero = node.getInputCount() > 3 && !node.getInput(3).isEmpty() ? g.constant(node.getInput(3)) : null;
                quant = quantization(w, scale, zero, 1);
                inOut = true;
            } else if (g.initializer(b) != null) {
                w = g.initializer(b);
                inOut = !transB;
            } else {
                NodeProto tr = g.producer(b);
                if (tr == null || !tr.getOpType().equals("Transpose") || g.initializer(tr.getInput(0)) == null) continue;
                AttributeProto perm = OnnxGraph.attribute(tr, "perm");
                if (perm != null && !perm.getIntsList().equals(List.of(1L, 0L))) continue;
                w = g.initializer(tr.getInput(0));
                inOut = transB;
            }
            if (w.getDimsCount() != 2 || OnnxFile.dtype(w.getDataType()) == null) continue;

            String bias = bias(node, product);
            String output = bias != null && !op.equals("Gemm") ? biasAddOutput(product, bias) : product;
            String module;
            if (CanonicalNames.isParameterPath(w.getName())) {
                // a named weight (e.g. tied embeddings under a Transpose): keep its name, fix its layout
                String name = CanonicalNames.canonical(w.getName());
                setLayout(name, w, inOut, node);
                module = name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : null;
            } else {
                module = bias != null && bias.endsWith(".bias") && CanonicalNames.isParameterPath(bias)
                        ? bias.substring(0, bias.length() - ".bias".length())
                        : moduleFromNodeName(node.getName());
                if (module == null) {
                    unplaced.add(w.getName() + " " + OnnxFile.dims(w) + " (used by " + op + " '" + node.getName() + "')");
                    continue;
                }
                module = CanonicalNames.canonical(module);
                if (module.equals("cls.predictions")) module = "cls.predictions.decoder"; // its bias is cls.predictions.bias
                String name = module + ".weight";
                int[] raw = dims(w);
                int[] shape = inOut ? new int[] {raw[1], raw[0]} : raw;
                Entry existing = entries.get(name);
                if (existing != null && existing.initializer() != w) {
                    throw new WeightException(origin + ": both initializer '" + existing.initializer().getName() + "' and '"
                            + w.getName() + "' (" + op + " '" + node.getName() + "') claim to be '" + name + "'");
                }
                entries.put(name, new Entry(name, w, quant != null ? DType.F32 : OnnxFile.dtype(w.getDataType()), inOut, shape, quant));
                NodeProto source = g.producer(node.getInput(0));
                if (quant != null && source != null && source.getOpType().equals("DynamicQuantizeLinear")) dynamicInputs.add(name);
                placed.add(w.getName());
            }
            if (bias != null && module != null) {
                TensorProto bt = g.initializer(bias);
                Entry we = entries.get(module + ".weight");
                if (we != null && (bt.getDimsCount() != 1 || bt.getDims(0) != we.shape()[0])) {
                    throw new WeightException(origin + ": " + op + " '" + node.getName() + "' multiplies by '" + w.getName()
                            + "', read as " + module + ".weight " + Arrays.toString(we.shape()) + " [out, in], but its bias '"
                            + bias + "' has shape " + OnnxFile.dims(bt));
                }
            }
            if (module != null) projectionOutputs.putIfAbsent(module, output);
        }
        for (TensorProto t : g.initializers.values()) {
            if (t.getDimsCount() == 2 && !CanonicalNames.isParameterPath(t.getName()) && !placed.contains(t.getName())
                    && (t.getDataType() == OnnxFile.FLOAT || t.getDataType() == OnnxFile.FLOAT16 || t.getDataType() == OnnxFile.BFLOAT16)
                    && unplaced.stream().noneMatch(u -> u.startsWith(t.getName() + " "))) {
                unplaced.add(t.getName() + " " + OnnxFile.dims(t) + " (not used as a MatMul/Gemm weight)");
            }
        }
    }

    private void setLayout(String name, TensorProto w, boolean inOut, NodeProto node) {
        Entry e = entries.get(name);
        if (e == null) return;
        int[] raw = dims(w);
        Entry fixed = new Entry(name, w, e.dtype(), inOut, inOut ? new int[] {raw[1], raw[0]} : raw, e.quantization());
        if (layoutDecided.contains(name) && e.transpose() != inOut) {
            throw new WeightException(origin + ": initializer '" + w.getName() + "' is used both as [in, out] and as [out, in] (" + node.getName() + ")");
        }
        layoutDecided.add(name);
        entries.put(name, fixed);
    }

    /** The bias initializer of a linear node: Gemm's third input, or the constant added to its (float) product. */
    private String bias(NodeProto node, String product) {
        if (node.getOpType().equals("Gemm")) {
            return node.getInputCount() > 2 && g.initializer(node.getInput(2)) != null ? node.getInput(2) : null;
        }
        for (NodeProto c : g.consumers(product)) {
            if (!c.getOpType().equals("Add") || c.getInputCount() != 2) continue;
            String other = c.getInput(0).equals(product) ? c.getInput(1) : c.getInput(0);
            TensorProto t = g.initializer(other);
            if (t != null && t.getDimsCount() == 1) return other;
        }
        return null;
    }

    private String biasAddOutput(String product, String bias) {
        for (NodeProto c : g.consumers(product)) {
            if (c.getOpType().equals("Add") && c.getInputList().contains(bias)) return c.getOutput(0);
        }
        return product;
    }

    /** PyTorch's exporter names nodes by module path: {@code /encoder/layer.3/attention/self/query/MatMul}. */
    static String moduleFromNodeName(String nodeName) {
        String n = nodeName.startsWith("/") ? nodeName.substring(1) : nodeName;
        int last = n.lastIndexOf('/');
        if (last <= 0) return null;
        String module = n.substring(0, last).replace('/', '.');
        return CanonicalNames.isParameterPath(module) ? module : null;
    }

    // ---- structure ----------------------------------------------------------------------------

    /** Every tensor a BERT encoder needs is there; returns the number of layers. */
    private int checkStructure() {
        List<String> problems = new ArrayList<>();
        for (String leaf : List.of("word_embeddings.weight", "position_embeddings.weight", "token_type_embeddings.weight",
                "LayerNorm.weight", "LayerNorm.bias")) {
            if (!entries.containsKey(EMB + leaf)) problems.add("no initializer '" + EMB + leaf + "'");
        }
        int layers = 0;
        for (String name : entries.keySet()) {
            Matcher m = LAYER_INDEX.matcher(name);
            if (m.lookingAt()) layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
        }
        if (layers == 0) problems.add("no encoder layers (no initializer under '" + LAYER + "N.')");
        for (int i = 0; i < layers; i++) {
            String p = LAYER + i + ".";
            for (String[] lin : LAYER_LINEARS) {
                String weight = p + lin[0] + ".weight", bias = p + lin[0] + ".bias";
                boolean hasW = entries.containsKey(weight), hasB = entries.containsKey(bias);
                if (!hasW && hasB) {
                    problems.add("no initializer feeds the " + lin[1] + " of layer " + i
                            + " (no MatMul or Gemm by a constant weight has its output added to '" + bias + "')");
                } else if (!hasW) {
                    problems.add("layer " + i + " has no " + lin[1] + " (neither '" + weight + "' nor its bias '" + bias + "')");
                } else if (!hasB) {
                    problems.add("the " + lin[1] + " of layer " + i + " has no bias '" + bias + "'");
                }
            }
            for (String ln : LAYER_NORMS) {
                for (String leaf : List.of(".weight", ".bias")) {
                    if (!entries.containsKey(p + ln + leaf)) problems.add("layer " + i + " has no '" + p + ln + leaf + "'");
                }
            }
        }
        // any other linear (pooler, heads) must be whole too
        for (String name : entries.keySet()) {
            if (!name.endsWith(".bias") || name.startsWith(LAYER) || name.equals("cls.predictions.bias")) continue;
            String weight = name.substring(0, name.length() - ".bias".length()) + ".weight";
            if (!entries.containsKey(weight)) {
                problems.add("no initializer feeds '" + weight + "' (nothing multiplies into the output '" + name + "' is added to)");
            }
        }
        if (!problems.isEmpty()) throw new WeightException(describe(problems));
        return layers;
    }

    private String describe(List<String> problems) {
        StringBuilder sb = new StringBuilder(origin).append(" is not an ONNX BERT encoder mlm4j can read: ");
        sb.append(String.join("; ", problems.subList(0, Math.min(problems.size(), 8))));
        if (problems.size() > 8) sb.append("; and ").append(problems.size() - 8).append(" more");
        Set<String> quantized = new java.util.TreeSet<>(), fused = new java.util.TreeSet<>();
        for (NodeProto n : g.graph.getNodeList()) {
            if (QUANTIZED_OPS.contains(n.getOpType())) quantized.add(n.getOpType());
            if (FUSED_OPS.contains(n.getOpType()) && !n.getDomain().isEmpty()) fused.add(n.getOpType());
        }
        if (!quantized.isEmpty()) {
            sb.append(". The graph is quantized (").append(String.join(", ", quantized))
                    .append("); mlm4j reads onnxruntime's dynamic quantization (MatMulInteger, DequantizeLinear tables) only: export it in float32");
        }
        if (!fused.isEmpty()) {
            sb.append(". The graph has ONNX Runtime's fused ").append(String.join(", ", fused))
                    .append(" nodes: use the exporter's plain output, not an ONNX Runtime-optimised model");
        }
        if (!unplaced.isEmpty()) {
            sb.append(". Weights that could not be placed: ").append(String.join(", ", unplaced.subList(0, Math.min(unplaced.size(), 5))));
        }
        return sb.toString();
    }

    private void checkShapes() {
        int h = config.hiddenSize(), f = config.intermediateSize();
        Map<String, int[]> expected = new LinkedHashMap<>();
        expected.put(EMB + "position_embeddings.weight", new int[] {config.maxPositionEmbeddings(), h});
        expected.put(EMB + "token_type_embeddings.weight", new int[] {config.typeVocabSize(), h});
        expected.put(EMB + "LayerNorm.weight", new int[] {h});
        expected.put(EMB + "LayerNorm.bias", new int[] {h});
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            String p = LAYER + i + ".";
            for (String m : List.of("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense")) {
                expected.put(p + m + ".weight", new int[] {h, h});
                expected.put(p + m + ".bias", new int[] {h});
            }
            expected.put(p + "intermediate.dense.weight", new int[] {f, h});
            expected.put(p + "intermediate.dense.bias", new int[] {f});
            expected.put(p + "output.dense.weight", new int[] {h, f});
            expected.put(p + "output.dense.bias", new int[] {h});
            for (String ln : LAYER_NORMS) {
                expected.put(p + ln + ".weight", new int[] {h});
                expected.put(p + ln + ".bias", new int[] {h});
            }
        }
        for (var e : expected.entrySet()) {
            int[] actual = entries.get(e.getKey()).shape();
            if (!Arrays.equals(actual, e.getValue())) {
                throw new WeightException(origin + ": '" + e.getKey() + "' has shape " + Arrays.toString(actual)
                        + " but hidden " + h + " and intermediate " + f + " (from the word embeddings and layer 0) need "
                        + Arrays.toString(e.getValue()));
            }
        }
    }

    // ---- configuration ------------------------------------------------------------------------

    private BertConfig inferConfig(int layers) {
        int[] word = entries.get(EMB + "word_embeddings.weight").shape();
        int[] pos = entries.get(EMB + "position_embeddings.weight").shape();
        int[] type = entries.get(EMB + "token_type_embeddings.weight").shape();
        int[] inter = entries.get(LAYER + "0.intermediate.dense.weight").shape();
        if (word.length != 2 || pos.length != 2 || type.length != 2 || inter.length != 2) {
            throw new WeightException(origin + ": embeddings and the intermediate weight must be matrices, got word "
                    + Arrays.toString(word) + ", position " + Arrays.toString(pos) + ", token type " + Arrays.toString(type)
                    + ", intermediate " + Arrays.toString(inter));
        }
        int hidden = word[1];
        int heads = attentionHeads(hidden, layers);
        double eps = layerNormEps();
        String act = activation();
        try {
            return new BertConfig(word[0], hidden, layers, heads, inter[0], act, pos[0], type[0], eps, 0);
        } catch (IllegalArgumentException e) {
            throw new WeightException(origin + ": the graph describes a model mlm4j cannot run: " + e.getMessage(), e);
        }
    }

    /** Heads from the Reshape that splits each layer's query into heads, or from the 1/sqrt(head_size) scaling. */
    private int attentionHeads(int hidden, int layers) {
        Integer agreed = null;
        for (int i = 0; i < layers; i++) {
            String query = LAYER + i + ".attention.self.query";
            String out = projectionOutputs.get(query);
            if (out == null) throw new WeightException(origin + ": cannot find the output of the query projection of layer " + i);
            Integer fromReshape = headsFromReshape(out, hidden);
            Integer fromScale = headsFromScale(out, hidden);
            if (fromReshape != null && fromScale != null && !fromReshape.equals(fromScale)) {
                throw new WeightException(origin + ": layer " + i + " splits the query into " + fromReshape
                        + " heads but scales the attention scores as for " + fromScale + " heads");
            }
            Integer heads = fromReshape != null ? fromReshape : fromScale;
            if (heads == null) {
                throw new WeightException(origin + ": cannot find the number of attention heads of layer " + i
                        + ": no Reshape of its query projection to [batch, length, heads, head_size] with constant heads or head_size,"
                        + " and no Div or Mul by a constant sqrt(head_size) after the attention scores");
            }
            if (agreed != null && !agreed.equals(heads)) {
                throw new WeightException(origin + ": layer 0 has " + agreed + " attention heads but layer " + i + " has " + heads);
            }
            agreed = heads;
        }
        return agreed;
    }

    private Integer headsFromReshape(String query, int hidden) {
        for (NodeProto n : forward(query, 3, Set.of("Mul", "Div", "Cast", "Identity"))) {
            if (!n.getOpType().equals("Reshape") || n.getInputCount() < 2) continue;
            long[] shape = g.foldInts(n.getInput(1));
            if (shape == null || shape.length != 4) continue;
            long heads = shape[2], size = shape[3];
            if (heads > 0 && size > 0) {
                if (heads * size == hidden) return (int) heads;
            } else if (heads > 0 && hidden % heads == 0) {
                return (int) heads;
            } else if (size > 0 && hidden % size == 0) {
                return (int) (hidden / size);
            }
        }
        return null;
    }

    /** BERT scales scores by 1/sqrt(head_size): a Div by sqrt(d) or a Mul by 1/sqrt(d) after Q·Kᵀ. */
    private Integer headsFromScale(String query, int hidden) {
        for (NodeProto n : forward(query, 6, Set.of("Reshape", "Transpose", "Mul", "Div", "Cast", "Identity"))) {
            if (!n.getOpType().equals("MatMul") || g.constant(n.getInput(1)) != null) continue;
            for (NodeProto s : g.consumers(n.getOutput(0))) {
                if (!s.getOpType().equals("Div") && !s.getOpType().equals("Mul")) continue;
                Double c = g.scalar(s.getInput(1));
                if (c == null) c = g.scalar(s.getInput(0));
                if (c == null || c <= 0) continue;
                double d = s.getOpType().equals("Div") ? c * c : 1 / (c * c);
                long size = Math.round(d);
                if (size > 0 && Math.abs(d - size) < 1e-3 * size && hidden % size == 0) return (int) (hidden / size);
            }
            return null;
        }
        return null;
    }

    /** Nodes reachable from {@code value} through at most {@code depth} hops via ops in {@code through}, breadth first. */
    private List<NodeProto> forward(String value, int depth, Set<String> through) {
        List<NodeProto> seen = new ArrayList<>();
        ArrayDeque<Map.Entry<String, Integer>> queue = new ArrayDeque<>();
        queue.add(Map.entry(value, 0));
        Set<String> visited = new HashSet<>();
        while (!queue.isEmpty()) {
            var cur = queue.poll();
            for (NodeProto n : g.consumers(cur.getKey())) {
                if (!visited.add(n.getOutputCount() > 0 ? n.getOutput(0) : n.getName())) continue;
                seen.add(n);
                if (cur.getValue() + 1 < depth && through.contains(n.getOpType())) {
                    for (String o : n.getOutputList()) queue.add(Map.entry(o, cur.getValue() + 1));
                }
            }
        }
        return seen;
    }

    /** layer_norm_eps from every LayerNorm: a LayerNormalization's epsilon, or the constant added before Sqrt. */
    private double layerNormEps() {
        Map<String, Float> found = new TreeMap<>();
        List<String> missing = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (!e.name().endsWith("LayerNorm.weight")) continue;
            Float eps = epsOf(e.initializer().getName());
            if (eps == null) missing.add(e.initializer().getName());
            else found.put(e.name(), eps);
        }
        if (!missing.isEmpty()) {
            throw new WeightException(origin + ": cannot find layer_norm_eps: " + String.join(", ", missing)
                    + " feeds neither a LayerNormalization node nor the ReduceMean/Sub/Pow/ReduceMean/Add(eps)/Sqrt/Div pattern");
        }
        if (new HashSet<>(found.values()).size() != 1) {
            throw new WeightException(origin + ": the LayerNorms use different epsilons: " + found);
        }
        // the graph holds float32: 1e-12f reads back as the 1e-12 the config said
        return Double.parseDouble(Float.toString(found.values().iterator().next()));
    }

    private Float epsOf(String gamma) {
        for (NodeProto n : g.consumers(gamma)) {
            switch (n.getOpType()) {
                case "LayerNormalization", "SkipLayerNormalization", "SkipSimplifiedLayerNormalization" -> {
                    AttributeProto a = OnnxGraph.attribute(n, "epsilon");
                    if (a != null) return a.getF();
                    if (n.getOpType().equals("LayerNormalization")) return 1e-5f; // the operator's default
                }
                case "Mul" -> {
                    String normalised = n.getInput(0).equals(gamma) ? n.getInput(1) : n.getInput(0);
                    NodeProto sqrt = backward(normalised, "Sqrt", 3);
                    if (sqrt == null) continue;
                    NodeProto add = g.producer(sqrt.getInput(0));
                    if (add == null || !add.getOpType().equals("Add")) continue;
                    for (String in : add.getInputList()) {
                        Double c = g.scalar(in);
                        if (c != null) return c.floatValue();
                    }
                }
                default -> { }
            }
        }
        return null;
    }

    private NodeProto backward(String value, String op, int depth) {
        NodeProto p = g.producer(value);
        if (p == null || depth == 0) return null;
        if (p.getOpType().equals(op)) return p;
        for (String in : p.getInputList()) {
            NodeProto found = backward(in, op, depth - 1);
            if (found != null) return found;
        }
        return null;
    }

    /** hidden_act from the nodes that follow layer 0's intermediate projection. */
    private String activation() {
        String out = projectionOutputs.get(LAYER + "0.intermediate.dense");
        if (out == null) throw new WeightException(origin + ": cannot find the output of layer 0's intermediate projection");
        for (NodeProto n : forward(out, 6, Set.of("Div", "Mul", "Add", "Erf", "Cast", "Identity", "Pow"))) {
            switch (n.getOpType()) {
                case "Erf", "BiasGelu" -> { return "gelu"; }
                case "Gelu" -> {
                    AttributeProto a = OnnxGraph.attribute(n, "approximate");
                    return a != null && a.getS().toStringUtf8().equals("tanh") ? "gelu_new" : "gelu";
                }
                case "Tanh", "FastGelu" -> { return "gelu_new"; }
                case "Relu" -> { return "relu"; }
                case "Sigmoid" -> { return "silu"; }
                default -> { }
            }
        }
        throw new WeightException(origin + ": cannot tell layer 0's activation: no Erf, Gelu, Tanh or Relu node follows its intermediate projection");
    }

    private static long intAttribute(NodeProto n, String name, long otherwise) {
        AttributeProto a = OnnxGraph.attribute(n, name);
        return a == null ? otherwise : a.getI();
    }

    private static int[] dims(TensorProto t) {
        OnnxFile.elements(t); // checks the dimensions
        int[] d = new int[t.getDimsCount()];
        for (int i = 0; i < d.length; i++) d[i] = (int) t.getDims(i);
        return d;
    }
}
