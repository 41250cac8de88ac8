package dev.mlm4j.weights.onnx;

import dev.mlm4j.weights.onnx.OnnxProto.AttributeProto;
import dev.mlm4j.weights.onnx.OnnxProto.GraphProto;
import dev.mlm4j.weights.onnx.OnnxProto.NodeProto;
import dev.mlm4j.weights.onnx.OnnxProto.TensorProto;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An index over an ONNX graph for walking it: which node produces a value, which nodes consume it,
 * which values are constants (initializers or {@code Constant} nodes), and a little constant folding
 * for the shape arithmetic exporters emit ({@code Concat} of {@code Unsqueeze}d scalars).
 */
final class OnnxGraph {
    /** An element of a folded shape that is only known at run time (a batch or sequence length). */
    static final long UNKNOWN = Long.MIN_VALUE;

    final OnnxFile file;
    final GraphProto graph;
    final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final Map<String, TensorProto> constantNodes = new LinkedHashMap<>();
    private final Map<String, NodeProto> producers = new LinkedHashMap<>();
    private final Map<String, List<NodeProto>> consumers = new LinkedHashMap<>();

    OnnxGraph(OnnxFile file) {
        this.file = file;
        this.graph = file.model.getGraph();
        for (TensorProto t : graph.getInitializerList()) initializers.put(t.getName(), t);
        for (NodeProto n : graph.getNodeList()) {
            for (String out : n.getOutputList()) producers.put(out, n);
            for (String in : n.getInputList()) {
                if (!in.isEmpty()) consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            }
            if (n.getOpType().equals("Constant") && n.getOutputCount() == 1) {
                TensorProto value = attribute(n, "value") != null ? attribute(n, "value").getT() : null;
                if (value != null) constantNodes.put(n.getOutput(0), value);
            }
        }
    }

    NodeProto producer(String value) {
        return producers.get(value);
    }

    List<NodeProto> consumers(String value) {
        return consumers.getOrDefault(value, List.of());
    }

    /** The initializer named {@code value}, or null. */
    TensorProto initializer(String value) {
        return initializers.get(value);
    }

    /** The constant tensor behind {@code value}: an initializer or a {@code Constant} node's value; null otherwise. */
    TensorProto constant(String value) {
        TensorProto t = initializers.get(value);
        return t != null ? t : constantNodes.get(value);
    }

    static AttributeProto attribute(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) return a;
        }
        return null;
    }

    /** A scalar floating-point constant (one element of any shape), or null. */
    Double scalar(String value) {
        TensorProto t = constant(value);
        if (t == null || OnnxFile.elements(t) != 1) return null;
        int type = t.getDataType();
        if (type == OnnxFile.FLOAT || type == OnnxFile.FLOAT16 || type == OnnxFile.BFLOAT16) return (double) file.floats(t)[0];
        if (type == OnnxFile.DOUBLE && t.getDoubleDataCount() == 1) return t.getDoubleData(0);
        long[] ints = file.longs(t);
        return ints == null ? null : (double) ints[0];
    }

    /**
     * Folds {@code value} to a 1-D integer vector where it is a shape computed from constants: an
     * integer constant, a {@code Concat} of such, or an {@code Unsqueeze} of a scalar (which becomes one
     * {@link #UNKNOWN} element when the scalar is only known at run time). Null when it cannot.
     */
    long[] foldInts(String value) {
        return foldInts(value, 0);
    }

    private long[] foldInts(String value, int depth) {
        if (depth > 8) return null;
        TensorProto t = constant(value);
        if (t != null) return t.getDimsCount() <= 1 ? file.longs(t) : null;
        NodeProto n = producer(value);
        if (n == null) return null;
        switch (n.getOpType()) {
            case "Concat" -> {
                List<long[]> parts = new ArrayList<>();
                int total = 0;
                for (String in : n.getInputList()) {
                    long[] p = foldInts(in, depth + 1);
                    if (p == null) return null;
                    parts.add(p);
                    total += p.length;
                }
                long[] out = new long[total];
                int at = 0;
                for (long[] p : parts) {
                    System.arraycopy(p, 0, out, at, p.length);
                    at += p.length;
                }
                return out;
            }
            case "Unsqueeze" -> {
                long[] inner = foldInts(n.getInput(0), depth + 1);
                if (inner == null) return new long[] {UNKNOWN}; // a run-time scalar (e.g. Gather of Shape)
                return inner.length == 1 ? inner : null;
            }
            case "Cast", "Identity" -> {
                return foldInts(n.getInput(0), depth + 1);
            }
            default -> {
                return null;
            }
        }
    }
}
