package dev.mlm4j.weights.onnx;

import com.google.protobuf.ByteString;
import dev.mlm4j.weights.onnx.OnnxProto.AttributeProto;
import dev.mlm4j.weights.onnx.OnnxProto.GraphProto;
import dev.mlm4j.weights.onnx.OnnxProto.ModelProto;
import dev.mlm4j.weights.onnx.OnnxProto.NodeProto;
import dev.mlm4j.weights.onnx.OnnxProto.OperatorSetIdProto;
import dev.mlm4j.weights.onnx.OnnxProto.StringStringEntryProto;
import dev.mlm4j.weights.onnx.OnnxProto.TensorProto;
import dev.mlm4j.weights.onnx.OnnxProto.ValueInfoProto;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Builds small BERT graphs in the shapes other exporters produce, to test the reader's graph rules
 * beyond the two real files: linear layers as MatMul+Add, Gemm with and without {@code transB};
 * LayerNorm fused or decomposed; heads from a constant Reshape or only from the score scaling;
 * prefixed, bare or legacy ({@code gamma/beta}) names; FLOAT16 or external data; pooler and MLM
 * head (tied or not). The graphs are plausible, not meant to run. {@link #truth} holds every parameter
 * under its canonical name in Hugging Face layout, as the reader must present it.
 */
final class TinyBertOnnx {
    enum Linear { MATMUL, GEMM_TRANS_B, GEMM }

    int vocab = 11, hidden = 8, heads = 2, layers = 2, inter = 16, maxPos = 7, types = 2;
    float eps = 1e-7f;
    Linear linear = Linear.MATMUL;
    boolean fusedLayerNorm, headsFromScaleOnly, prefixed, legacyNames, f16, pooler, tanhGelu, external;
    String mlmHead; // null, "tied" or "untied"
    String externalLocation = "weights.bin";

    final Map<String, float[]> truth = new TreeMap<>();
    final Map<String, int[]> shapes = new TreeMap<>();

    private final Random random = new Random(42);
    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("tiny-bert");
    private final ByteArrayOutputStream externalData = new ByteArrayOutputStream();
    private int counter;

    /** The model; with {@link #external}, the weights go to {@code dir/weights.bin}. */
    ModelProto build(Path dir) {
        graph.addInput(ValueInfoProto.newBuilder().setName("input_ids"));
        graph.addInput(ValueInfoProto.newBuilder().setName("token_type_ids"));
        String word = param("embeddings.word_embeddings.weight", vocab, hidden);
        String x = add(add(node("Gather", word, "input_ids"), node("Gather", param("embeddings.token_type_embeddings.weight", types, hidden), "token_type_ids")),
                node("Gather", param("embeddings.position_embeddings.weight", maxPos, hidden), constInts("position_ids", 1, maxPos, range(maxPos))));
        x = layerNorm(x, "embeddings.LayerNorm");
        for (int i = 0; i < layers; i++) x = layer(x, "encoder.layer." + i + ".");
        graph.addOutput(ValueInfoProto.newBuilder().setName(x));
        if (pooler) {
            String first = node("Gather", x, constInts("first", 0, 0, new long[] {0}));
            graph.addOutput(ValueInfoProto.newBuilder().setName(node("Tanh", linear(first, "pooler.dense", hidden, hidden))));
        }
        if (mlmHead != null) {
            String t = layerNorm(gelu(linear(x, "cls.predictions.transform.dense", hidden, hidden)), "cls.predictions.transform.LayerNorm");
            String logits;
            if (mlmHead.equals("tied")) {
                logits = node("MatMul", t, node("Transpose", word));
            } else {
                float[] w = random(vocab * hidden); // [vocab, hidden], decoder.weight in HF layout
                truth("cls.predictions.decoder.weight", w, vocab, hidden);
                logits = node("MatMul", t, floatInit("onnx::MatMul_" + (++counter), dev.mlm4j.weights.Layouts.transpose(w, vocab, hidden), hidden, vocab));
            }
            graph.addOutput(ValueInfoProto.newBuilder().setName(add(logits, param("cls.predictions.bias", vocab))));
        }
        if (external) {
            try {
                Files.write(dir.resolve("weights.bin"), externalData.toByteArray());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("mlm4j-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).setGraph(graph).build();
    }

    private String layer(String x, String p) {
        int d = hidden / heads;
        String q = linear(x, p + "attention.self.query", hidden, hidden);
        String k = linear(x, p + "attention.self.key", hidden, hidden);
        String v = linear(x, p + "attention.self.value", hidden, hidden);
        String qh, kh, vh;
        if (headsFromScaleOnly) {
            // the target shape is computed at run time from an input: nothing to fold
            graph.addInput(ValueInfoProto.newBuilder().setName("heads_shape_" + p));
            qh = node("Reshape", q, "heads_shape_" + p);
            kh = node("Reshape", k, "heads_shape_" + p);
            vh = node("Reshape", v, "heads_shape_" + p);
        } else {
            String shape = constInts("/" + p.replace(".", "/") + "split", 1, 4, new long[] {0, 0, heads, d});
            qh = node("Reshape", q, shape);
            kh = node("Reshape", k, shape);
            vh = node("Reshape", v, shape);
        }
        String scores = node("MatMul", transpose(qh, 0, 2, 1, 3), transpose(kh, 0, 2, 3, 1));
        String probs = node("Softmax", node("Div", scores, constFloat((float) Math.sqrt(d))));
        String ctx = node("Reshape", transpose(node("MatMul", probs, transpose(vh, 0, 2, 1, 3)), 0, 2, 1, 3),
                constInts("/" + p.replace(".", "/") + "merge", 1, 3, new long[] {0, 0, hidden}));
        String a = layerNorm(add(linear(ctx, p + "attention.output.dense", hidden, hidden), x), p + "attention.output.LayerNorm");
        String f = gelu(linear(a, p + "intermediate.dense", inter, hidden));
        return layerNorm(add(linear(f, p + "output.dense", hidden, inter), a), p + "output.LayerNorm");
    }

    /** y = x·Wᵀ + b for W [out, in], stored the way {@link #linear} says. */
    private String linear(String x, String module, int out, int in) {
        float[] w = random(out * in);
        truth(module + ".weight", w, out, in);
        String bias = param(module + ".bias", out);
        String anon = "onnx::" + (linear == Linear.MATMUL ? "MatMul_" : "Gemm_") + (++counter);
        return switch (linear) {
            case MATMUL -> add(bias, node("MatMul", x, floatInit(anon, dev.mlm4j.weights.Layouts.transpose(w, out, in), in, out)));
            case GEMM -> node("Gemm", x, floatInit(anon, dev.mlm4j.weights.Layouts.transpose(w, out, in), in, out), bias);
            case GEMM_TRANS_B -> node("Gemm", attrInt(nodeBuilder("Gemm", x, floatInit(anon, w, out, in), bias), "transB", 1));
        };
    }

    private String layerNorm(String x, String module) {
        String gamma = param(module + ".weight", hidden), beta = param(module + ".bias", hidden);
        if (fusedLayerNorm) {
            NodeProto.Builder n = nodeBuilder("LayerNormalization", x, gamma, beta);
            n.addAttribute(AttributeProto.newBuilder().setName("epsilon").setType(AttributeProto.AttributeType.FLOAT).setF(eps));
            return node("LayerNormalization", n);
        }
        String centred = node("Sub", x, node("ReduceMean", x));
        String var = node("ReduceMean", node("Pow", centred, constFloat(2)));
        String normalised = node("Div", centred, node("Sqrt", node("Add", var, constFloat(eps))));
        return add(node("Mul", normalised, gamma), beta);
    }

    private String gelu(String x) {
        if (tanhGelu) {
            String inner = node("Mul", add(x, node("Mul", node("Pow", x, constFloat(3)), constFloat(0.044715f))), constFloat(0.7978846f));
            return node("Mul", node("Mul", x, add(node("Tanh", inner), constFloat(1))), constFloat(0.5f));
        }
        String erf = node("Erf", node("Div", x, constFloat((float) Math.sqrt(2))));
        return node("Mul", node("Mul", x, add(erf, constFloat(1))), constFloat(0.5f));
    }

    // ---- graph plumbing -----------------------------------------------------------------------

    /** A named parameter: random values, stored under the (prefixed/bare/legacy) name the style says. */
    private String param(String bare, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        float[] v = random(n);
        truth(bare, v, shape);
        String stored = legacyNames ? bare.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta") : bare;
        if (prefixed && !bare.startsWith("cls.")) stored = "bert." + stored;
        return floatInit(stored, v, shape);
    }

    private void truth(String bare, float[] v, int... shape) {
        String canonical = bare.startsWith("cls.") ? bare : "bert." + bare;
        float[] expected = v.clone();
        if (f16) for (int i = 0; i < expected.length; i++) expected[i] = Float.float16ToFloat(Float.floatToFloat16(expected[i]));
        truth.put(canonical, expected);
        shapes.put(canonical, shape);
    }

    private String floatInit(String name, float[] v, int... shape) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name);
        for (int s : shape) t.addDims(s);
        ByteBuffer b;
        if (f16) {
            t.setDataType(OnnxFile.FLOAT16);
            b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : v) b.putShort(Float.floatToFloat16(f));
        } else {
            t.setDataType(OnnxFile.FLOAT);
            b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : v) b.putFloat(f);
        }
        byte[] bytes = b.array();
        if (external) {
            int offset = externalData.size();
            externalData.writeBytes(bytes);
            t.setDataLocation(TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(entry("location", externalLocation))
                    .addExternalData(entry("offset", Integer.toString(offset)))
                    .addExternalData(entry("length", Integer.toString(bytes.length)));
        } else {
            t.setRawData(ByteString.copyFrom(bytes));
        }
        graph.addInitializer(t);
        return name;
    }

    private static StringStringEntryProto entry(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    private String constInts(String name, int rank, int length, long[] values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(OnnxFile.INT64);
        if (rank == 2) t.addDims(1);
        t.addDims(length);
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) b.putLong(v);
        t.setRawData(ByteString.copyFrom(b.array()));
        graph.addInitializer(t);
        return name;
    }

    /** A scalar as a Constant node, as PyTorch's exporter writes them. */
    private String constFloat(float v) {
        TensorProto t = TensorProto.newBuilder().setDataType(OnnxFile.FLOAT)
                .setRawData(ByteString.copyFrom(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array())).build();
        NodeProto.Builder n = NodeProto.newBuilder().setOpType("Constant").setName("/Constant_" + (++counter))
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(t));
        return node("Constant", n);
    }

    private String transpose(String x, long... perm) {
        NodeProto.Builder n = nodeBuilder("Transpose", x);
        n.addAttribute(AttributeProto.newBuilder().setName("perm").setType(AttributeProto.AttributeType.INTS)
                .addAllInts(java.util.Arrays.stream(perm).boxed().toList()));
        return node("Transpose", n);
    }

    private String add(String a, String b) {
        return node("Add", a, b);
    }

    private NodeProto.Builder nodeBuilder(String op, String... inputs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName("/" + op + "_" + (++counter));
        for (String in : inputs) n.addInput(in);
        return n;
    }

    private String node(String op, String... inputs) {
        return node(op, nodeBuilder(op, inputs));
    }

    private static NodeProto.Builder attrInt(NodeProto.Builder n, String name, long v) {
        return n.addAttribute(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v));
    }

    private String node(String op, NodeProto.Builder n) {
        String out = n.getName() + "_output_0";
        graph.addNode(n.addOutput(out));
        return out;
    }

    private float[] random(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) random.nextGaussian();
        return v;
    }

    private static long[] range(int n) {
        long[] r = new long[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }
}
