package dev.mlm4j.weights.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.DType;
import dev.mlm4j.weights.onnx.OnnxProto.AttributeProto;
import dev.mlm4j.weights.onnx.OnnxProto.GraphProto;
import dev.mlm4j.weights.onnx.OnnxProto.ModelProto;
import dev.mlm4j.weights.onnx.OnnxProto.NodeProto;
import dev.mlm4j.weights.onnx.OnnxProto.OperatorSetIdProto;
import dev.mlm4j.weights.onnx.OnnxProto.TensorProto;
import dev.mlm4j.weights.onnx.OnnxProto.ValueInfoProto;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The weights mlm4j reads from an int8 file of onnxruntime's dynamic quantization are exactly ONNX Runtime's own
 * {@code DequantizeLinear} of the same integers, scales and zero points, bit for bit. The pairing of each quantized
 * initializer with its scale and zero point is taken from onnxruntime's naming ({@code X_quantized}, {@code X_scale},
 * {@code X_zero_point}), a route independent of the reader's graph-following; the per-column axis of the linear
 * weights is ONNX's {@code axis = 1} of the stored {@code [in, out]} matrix. Which weight is which module is checked
 * end to end by {@code QuantizedOnnxRuntimeTest} and the float tests.
 */
class QuantizedWeightsOnnxRuntimeTest {

    @ParameterizedTest
    @ValueSource(strings = {"all-MiniLM-L6-v2-q", "bge-small-zh-v1.5-q"})
    void dequantizedWeightsEqualOnnxRuntimesDequantizeLinear(String name) throws IOException, OrtException {
        Path file = dev.mlm4j.model.TestModels.folder(name).resolve("model.onnx");
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(file));
        Map<String, TensorProto> inits = new LinkedHashMap<>();
        for (TensorProto t : model.getGraph().getInitializerList()) inits.put(t.getName(), t);

        try (OnnxCheckpoint onnx = OnnxCheckpoint.open(file)) {
            GraphProto.Builder g = GraphProto.newBuilder().setName("dequantize");
            Map<String, String> presented = new LinkedHashMap<>(); // ORT output -> mlm4j name
            for (String n : onnx.names()) {
                OnnxCheckpoint.Source s = onnx.source(n);
                if (!s.initializer().endsWith("_quantized")) continue;
                String stem = s.initializer().substring(0, s.initializer().length() - "_quantized".length());
                TensorProto q = inits.get(s.initializer()), scale = inits.get(stem + "_scale"), zero = inits.get(stem + "_zero_point");
                assertTrue(scale != null && zero != null, n + ": onnxruntime's scale and zero point of " + s.initializer());
                assertEquals(DType.F32, onnx.info(n).dtype(), n + " is presented as float32");
                for (TensorProto t : new TensorProto[] {q, scale, zero}) {
                    if (g.getInitializerList().stream().noneMatch(i -> i.getName().equals(t.getName()))) g.addInitializer(t);
                }
                String out = "dq_" + presented.size();
                g.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").addInput(q.getName()).addInput(scale.getName())
                        .addInput(zero.getName()).addOutput(out)
                        .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(1)));
                g.addOutput(ValueInfoProto.newBuilder().setName(out));
                presented.put(out, n);
            }
            // MiniLM: 6 layers × 6 linears + 3 embedding tables; bge-small-zh: 4 × 6 + 3
            assertEquals(name.startsWith("all-MiniLM") ? 39 : 27, presented.size(), "quantized tensors presented");
            byte[] probe = ModelProto.newBuilder().setIrVersion(7).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13))
                    .setGraph(g).build().toByteArray();

            OrtEnvironment env = OrtEnvironment.getEnvironment();
            int checked = 0;
            try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
                opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
                try (OrtSession session = env.createSession(probe, opts); OrtSession.Result r = session.run(Map.of())) {
                    for (var e : r) {
                        String n = presented.get(e.getKey());
                        OnnxTensor t = (OnnxTensor) e.getValue();
                        long[] shape = t.getInfo().getShape();
                        FloatBuffer fb = t.getFloatBuffer();
                        FloatTensor ours = onnx.load(n);
                        boolean transposed = onnx.source(n).transposed();  // linear weights: ORT [in, out], mlm4j [out, in]
                        int rows = (int) shape[0], cols = (int) shape[1];
                        for (int i = 0; i < rows; i++) {
                            for (int j = 0; j < cols; j++) {
                                float want = fb.get(i * cols + j), got = transposed ? ours.at(j, i) : ours.at(i, j);
                                if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got)) {
                                    throw new AssertionError(n + " [" + i + ", " + j + "]: ORT " + want + ", mlm4j " + got);
                                }
                            }
                        }
                        checked++;
                    }
                }
            }
            assertEquals(presented.size(), checked);
        }
    }
}
