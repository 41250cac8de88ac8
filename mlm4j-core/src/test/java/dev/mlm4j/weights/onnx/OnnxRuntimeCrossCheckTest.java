package dev.mlm4j.weights.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.onnx.OnnxProto.GraphProto;
import dev.mlm4j.weights.onnx.OnnxProto.ModelProto;
import dev.mlm4j.weights.onnx.OnnxProto.NodeProto;
import dev.mlm4j.weights.onnx.OnnxProto.ValueInfoProto;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A numeric check of names and layouts against ONNX Runtime running the very same file: the graph is
 * given extra outputs at the input and output of every linear layer and of the embeddings (found by
 * the exporter's node names, a route independent of the reader's bias-following), and each is
 * recomputed with plain loops from the tensors the reader presents: {@code y = x·Wᵀ + b} with the
 * Hugging Face {@code [out, in]} weight, and {@code LayerNorm(word + position + token type)} with the
 * inferred {@code layer_norm_eps}. A swapped query/key, a missed transpose or a wrong layer fails.
 */
class OnnxRuntimeCrossCheckTest {
    private static final Pattern LINEAR = Pattern.compile("/encoder/layer\\.(\\d+)/(.+)/MatMul");
    private static final long[] IDS = {101, 7592, 1045, 1005, 1049, 1037, 103, 2944, 1012, 102};
    private static final long[] TYPES = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1};

    @ParameterizedTest
    @ValueSource(strings = {TestModels.MINILM, TestModels.BGE_SMALL})
    void everyLinearAndTheEmbeddingsMatchOnnxRuntime(String resource) throws IOException, OrtException {
        Path file = TestModels.onnx(resource);
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(file));
        GraphProto.Builder graph = model.getGraph().toBuilder();
        Map<String, String[]> linears = new LinkedHashMap<>(); // HF module -> {input value, output value}
        String embeddingsOut = null;
        for (NodeProto n : model.getGraph().getNodeList()) {
            Matcher m = LINEAR.matcher(n.getName());
            if (!n.getOpType().equals("MatMul") || !m.matches()) continue;
            if (!n.getInput(1).startsWith("onnx::MatMul")) continue; // the attention score products
            String module = "bert.encoder.layer." + m.group(1) + "." + m.group(2).replace('/', '.');
            String biasAdd = null;
            for (NodeProto c : model.getGraph().getNodeList()) {
                if (c.getOpType().equals("Add") && c.getInputList().contains(n.getOutput(0))) biasAdd = c.getOutput(0);
            }
            linears.put(module, new String[] {n.getInput(0), biasAdd});
            if (module.equals("bert.encoder.layer.0.attention.self.query")) embeddingsOut = n.getInput(0);
        }
        assertEquals(6 * (resource.equals(TestModels.MINILM) ? 6 : 12), linears.size());
        graph.addOutput(ValueInfoProto.newBuilder().setName(embeddingsOut));
        for (String[] io : linears.values()) {
            for (String v : io) {
                if (!v.equals(embeddingsOut)) graph.addOutput(ValueInfoProto.newBuilder().setName(v));
            }
        }
        byte[] probe = model.toBuilder().setGraph(graph).build().toByteArray();

        Map<String, float[]> ort = new LinkedHashMap<>();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT); // keep the intermediate values as exported
            try (OrtSession session = env.createSession(probe, opts);
                 OnnxTensor ids = OnnxTensor.createTensor(env, new long[][] {IDS});
                 OnnxTensor mask = OnnxTensor.createTensor(env, new long[][] {ones(IDS.length)});
                 OnnxTensor types = OnnxTensor.createTensor(env, new long[][] {TYPES});
                 OrtSession.Result r = session.run(Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types))) {
                for (var e : r) {
                    FloatBuffer fb = ((OnnxTensor) e.getValue()).getFloatBuffer();
                    float[] a = new float[fb.remaining()];
                    fb.get(a);
                    ort.put(e.getKey(), a);
                }
            }
        }

        try (OnnxCheckpoint onnx = OnnxCheckpoint.open(file)) {
            BertConfig c = onnx.config();
            int h = c.hiddenSize(), n = IDS.length;
            float[] emb = embeddings(onnx, c);
            compare("embeddings output", ort.get(embeddingsOut), emb, 2e-5);
            for (var e : linears.entrySet()) {
                String module = e.getKey();
                FloatTensor w = onnx.load(module + ".weight");
                FloatTensor b = onnx.load(module + ".bias");
                float[] x = ort.get(e.getValue()[0]);
                int in = w.dim(1), out = w.dim(0);
                assertEquals(n * in, x.length, module + " input");
                float[] y = new float[n * out];
                for (int t = 0; t < n; t++) {
                    for (int o = 0; o < out; o++) {
                        double s = b.get(o);
                        for (int i = 0; i < in; i++) s += (double) x[t * in + i] * w.at(o, i);
                        y[t * out + o] = (float) s;
                    }
                }
                compare(module, ort.get(e.getValue()[1]), y, 1e-4);
            }
            assertTrue(h > 0);
        }
    }

    /** LayerNorm(word[id] + position[t] + token_type[type]) with the config's eps, in double. */
    private static float[] embeddings(OnnxCheckpoint onnx, BertConfig c) {
        int h = c.hiddenSize();
        FloatTensor word = onnx.load("bert.embeddings.word_embeddings.weight");
        FloatTensor pos = onnx.load("bert.embeddings.position_embeddings.weight");
        FloatTensor type = onnx.load("bert.embeddings.token_type_embeddings.weight");
        FloatTensor gamma = onnx.load("bert.embeddings.LayerNorm.weight");
        FloatTensor beta = onnx.load("bert.embeddings.LayerNorm.bias");
        float[] out = new float[IDS.length * h];
        double[] x = new double[h];
        for (int t = 0; t < IDS.length; t++) {
            double mean = 0;
            for (int i = 0; i < h; i++) {
                x[i] = (double) word.at((int) IDS[t], i) + pos.at(t, i) + type.at((int) TYPES[t], i);
                mean += x[i];
            }
            mean /= h;
            double var = 0;
            for (int i = 0; i < h; i++) var += (x[i] - mean) * (x[i] - mean);
            var /= h;
            double inv = 1 / Math.sqrt(var + c.layerNormEps());
            for (int i = 0; i < h; i++) out[t * h + i] = (float) ((x[i] - mean) * inv * gamma.get(i) + beta.get(i));
        }
        return out;
    }

    private static void compare(String label, float[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length, label + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(expected[i] - actual[i]) > tol * (1 + Math.abs(expected[i]))) {
                fail(label + ": first mismatch at flat index " + i + ": ONNX Runtime " + expected[i] + ", from loaded weights " + actual[i]);
            }
        }
    }

    private static long[] ones(int n) {
        long[] a = new long[n];
        java.util.Arrays.fill(a, 1);
        return a;
    }
}
