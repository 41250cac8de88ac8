package dev.mlm4j.weights.onnx;

import dev.mlm4j.config.BertConfig;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.DType;
import dev.mlm4j.weights.TensorInfo;
import dev.mlm4j.weights.onnx.OnnxProto.ModelProto;
import dev.mlm4j.weights.onnx.OnnxProto.TensorProto;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The two real exports: every Hugging Face name with its shape, the inferred config, and the transposition. */
class OnnxCheckpointTest {

    /** Every tensor a BERT encoder with this config must present, with its [out, in] shape. */
    static Map<String, int[]> expectedShapes(BertConfig c) {
        int h = c.hiddenSize(), f = c.intermediateSize();
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put("bert.embeddings.word_embeddings.weight", new int[] {c.vocabSize(), h});
        m.put("bert.embeddings.position_embeddings.weight", new int[] {c.maxPositionEmbeddings(), h});
        m.put("bert.embeddings.token_type_embeddings.weight", new int[] {c.typeVocabSize(), h});
        m.put("bert.embeddings.LayerNorm.weight", new int[] {h});
        m.put("bert.embeddings.LayerNorm.bias", new int[] {h});
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "bert.encoder.layer." + i + ".";
            for (String s : new String[] {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"}) {
                m.put(p + s + ".weight", new int[] {h, h});
                m.put(p + s + ".bias", new int[] {h});
            }
            m.put(p + "attention.output.LayerNorm.weight", new int[] {h});
            m.put(p + "attention.output.LayerNorm.bias", new int[] {h});
            m.put(p + "intermediate.dense.weight", new int[] {f, h});
            m.put(p + "intermediate.dense.bias", new int[] {f});
            m.put(p + "output.dense.weight", new int[] {h, f});
            m.put(p + "output.dense.bias", new int[] {h});
            m.put(p + "output.LayerNorm.weight", new int[] {h});
            m.put(p + "output.LayerNorm.bias", new int[] {h});
        }
        return m;
    }

    static void assertAllPresent(OnnxCheckpoint onnx, BertConfig config) {
        for (var e : expectedShapes(config).entrySet()) {
            TensorInfo info = onnx.info(e.getKey());
            assertNotNull(info, "missing " + e.getKey());
            assertEquals(DType.F32, info.dtype(), e.getKey());
            assertArrayEquals(e.getValue(), info.shape(), e.getKey() + " has shape " + Arrays.toString(info.shape()));
            FloatTensor t = onnx.load(e.getKey());
            assertArrayEquals(e.getValue(), t.shape(), e.getKey());
        }
        assertTrue(onnx.unplacedInitializers().isEmpty(), "unplaced: " + onnx.unplacedInitializers());
        for (String name : onnx.names()) {
            assertTrue(name.startsWith("bert."), "not canonical: " + name);
        }
    }

    @Test
    void miniLmPresentsEveryHuggingFaceNameAndInfersItsConfig() {
        try (OnnxCheckpoint onnx = OnnxCheckpoint.open(TestModels.onnx(TestModels.MINILM))) {
            BertConfig expected = new BertConfig(30522, 384, 6, 12, 1536, "gelu", 512, 2, 1e-12, 0);
            assertEquals(expected, onnx.config());
            assertEquals(32, onnx.config().headSize());
            assertAllPresent(onnx, expected);
            // the exported buffer is listed as what it is, not as a float
            assertEquals(DType.I64, onnx.info("bert.embeddings.position_ids").dtype());
        }
    }

    @Test
    void bgeSmallPresentsEveryHuggingFaceNameAndInfersItsConfig() {
        try (OnnxCheckpoint onnx = OnnxCheckpoint.open(TestModels.onnx(TestModels.BGE_SMALL))) {
            BertConfig c = onnx.config();
            assertEquals(new BertConfig(30522, 384, 12, 12, 1536, "gelu", 512, 2, 1e-12, 0), c);
            assertAllPresent(onnx, c);
            assertEquals(expectedShapes(c).size(), onnx.names().size(), "BGE's export holds exactly the encoder's tensors");
        }
    }

    /** Each linear weight is the raw [in, out] initializer transposed: HF[i][j] == raw[j][i], every element. */
    @Test
    void linearWeightsAreTheInitializersTransposed() throws IOException {
        Path file = TestModels.onnx(TestModels.MINILM);
        // an independent read of the initializers: plain protobuf parse of the whole file onto the heap
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(file));
        Map<String, TensorProto> raw = new LinkedHashMap<>();
        for (TensorProto t : model.getGraph().getInitializerList()) raw.put(t.getName(), t);
        int transposed = 0;
        try (OnnxCheckpoint onnx = OnnxCheckpoint.open(file)) {
            for (String name : onnx.names()) {
                OnnxCheckpoint.Source src = onnx.source(name);
                TensorProto t = raw.get(src.initializer());
                if (t.getDataType() != OnnxFile.FLOAT) continue;
                float[] r = floats(t);
                FloatTensor hf = onnx.load(name);
                if (src.transposed()) {
                    transposed++;
                    assertTrue(src.initializer().startsWith("onnx::MatMul_"), name + " <- " + src.initializer());
                    int in = (int) t.getDims(0), out = (int) t.getDims(1);
                    assertArrayEquals(new int[] {out, in}, hf.shape(), name);
                    for (int i = 0; i < out; i++) {
                        for (int j = 0; j < in; j++) {
                            if (Float.floatToRawIntBits(hf.at(i, j)) != Float.floatToRawIntBits(r[j * out + i])) {
                                fail(name + "[" + i + "][" + j + "] = " + hf.at(i, j) + " but " + src.initializer() + "[" + j + "][" + i + "] = " + r[j * out + i]);
                            }
                        }
                    }
                } else {
                    assertEquals(src.initializer(), name.substring("bert.".length()), "named initializers keep their name");
                    assertArrayEquals(r, hf.toArray(), name);
                }
            }
        }
        assertEquals(6 * 6, transposed, "six linear weights in each of six layers");
    }

    static float[] floats(TensorProto t) {
        float[] out = new float[t.getRawData().size() / 4];
        ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
