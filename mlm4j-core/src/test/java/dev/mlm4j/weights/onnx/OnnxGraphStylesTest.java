package dev.mlm4j.weights.onnx;

import dev.mlm4j.config.BertConfig;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.DType;
import dev.mlm4j.weights.WeightException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Graph shapes other exporters produce, on tiny generated BERTs: every tensor must come out named, shaped and valued right. */
class OnnxGraphStylesTest {
    @TempDir
    Path dir;

    private OnnxCheckpoint open(TinyBertOnnx tiny) throws IOException {
        Path file = dir.resolve("tiny.onnx");
        Files.write(file, tiny.build(dir).toByteArray());
        return OnnxCheckpoint.open(file);
    }

    /** Exactly the generated parameters, in HF layout, bit for bit. */
    private static void assertPresentsTruth(OnnxCheckpoint onnx, TinyBertOnnx tiny) {
        assertEquals(tiny.truth.keySet(), onnx.names());
        for (var e : tiny.truth.entrySet()) {
            FloatTensor t = onnx.load(e.getKey());
            assertArrayEquals(tiny.shapes.get(e.getKey()), t.shape(), e.getKey());
            assertArrayEquals(e.getValue(), t.toArray(), e.getKey());
        }
        assertTrue(onnx.unplacedInitializers().isEmpty(), onnx.unplacedInitializers().toString());
    }

    private static BertConfig tinyConfig(double eps) {
        return new BertConfig(11, 8, 2, 2, 16, "gelu", 7, 2, eps, 0);
    }

    @Test
    void matMulPlusAddWithDecomposedLayerNormAndBareNames() throws IOException {
        TinyBertOnnx tiny = new TinyBertOnnx();
        try (OnnxCheckpoint onnx = open(tiny)) {
            assertEquals(tinyConfig(1e-7), onnx.config());
            assertPresentsTruth(onnx, tiny);
            assertTrue(onnx.source("bert.encoder.layer.1.output.dense.weight").transposed());
        }
    }

    @Test
    void gemmWithTransBAndFusedLayerNormAndPrefixedNamesWithPoolerAndTiedHead() throws IOException {
        TinyBertOnnx tiny = new TinyBertOnnx();
        tiny.linear = TinyBertOnnx.Linear.GEMM_TRANS_B;
        tiny.fusedLayerNorm = true;
        tiny.eps = 1e-5f;
        tiny.prefixed = true;
        tiny.pooler = true;
        tiny.mlmHead = "tied";
        try (OnnxCheckpoint onnx = open(tiny)) {
            assertEquals(tinyConfig(1e-5), onnx.config());
            assertPresentsTruth(onnx, tiny);
            // Gemm(transB=1) stores [out, in] already; the tied decoder reads the embeddings through a Transpose
            assertFalse(onnx.source("bert.encoder.layer.0.attention.self.query.weight").transposed());
            assertFalse(onnx.source("bert.embeddings.word_embeddings.weight").transposed());
            assertNull(onnx.info("cls.predictions.decoder.weight"), "a tied decoder is the word embeddings, not a copy");
            assertTrue(onnx.names().contains("bert.pooler.dense.weight"));
            assertTrue(onnx.names().contains("cls.predictions.transform.dense.weight"));
        }
    }

    @Test
    void gemmWithoutTransBHeadsOnlyFromScalingFloat16AndUntiedHead() throws IOException {
        TinyBertOnnx tiny = new TinyBertOnnx();
        tiny.linear = TinyBertOnnx.Linear.GEMM;
        tiny.headsFromScaleOnly = true;
        tiny.heads = 4; // head size 2: only the Div by sqrt(2) says so
        tiny.f16 = true;
        tiny.mlmHead = "untied";
        try (OnnxCheckpoint onnx = open(tiny)) {
            assertEquals(new BertConfig(11, 8, 2, 4, 16, "gelu", 7, 2, 1e-7, 0), onnx.config());
            assertEquals(DType.F16, onnx.info("bert.encoder.layer.0.attention.self.query.weight").dtype());
            assertPresentsTruth(onnx, tiny);
            assertArrayEquals(new int[] {11, 8}, onnx.info("cls.predictions.decoder.weight").shape());
            assertTrue(onnx.source("cls.predictions.decoder.weight").transposed());
        }
    }

    @Test
    void legacyGammaBetaNamesBecomeWeightAndBias() throws IOException {
        TinyBertOnnx tiny = new TinyBertOnnx();
        tiny.legacyNames = true;
        try (OnnxCheckpoint onnx = open(tiny)) {
            assertPresentsTruth(onnx, tiny);
            assertEquals("embeddings.LayerNorm.gamma", onnx.source("bert.embeddings.LayerNorm.weight").initializer());
        }
    }

    @Test
    void externalDataIsReadFromTheFileBesideTheModel() throws IOException {
        TinyBertOnnx tiny = new TinyBertOnnx();
        tiny.external = true;
        try (OnnxCheckpoint onnx = open(tiny)) {
            assertEquals(tinyConfig(1e-7), onnx.config());
            assertPresentsTruth(onnx, tiny);
        }
    }

    @Test
    void externalDataOutsideTheModelsDirectoryIsRefused() {
        TinyBertOnnx tiny = new TinyBertOnnx();
        tiny.external = true;
        tiny.externalLocation = "../weights.bin";
        WeightException e = assertThrows(WeightException.class, () -> open(tiny).close());
        assertTrue(e.getMessage().contains("points outside the model's directory: '../weights.bin'"), e.getMessage());
    }

    @Test
    void truncatedExternalDataIsReportedAtOpen() throws IOException {
        TinyBertOnnx tiny = new TinyBertOnnx();
        tiny.external = true;
        Path file = dir.resolve("tiny.onnx");
        Files.write(file, tiny.build(dir).toByteArray());
        Path data = dir.resolve("weights.bin");
        Files.write(data, Arrays.copyOf(Files.readAllBytes(data), (int) Files.size(data) - 4));
        WeightException e = assertThrows(WeightException.class, () -> OnnxCheckpoint.open(file).close());
        assertTrue(e.getMessage().contains("lie past the end of"), e.getMessage());
    }

    @Test
    void tanhGeluIsNotPassedOffAsBertsErfGelu() {
        TinyBertOnnx tiny = new TinyBertOnnx();
        tiny.tanhGelu = true;
        WeightException e = assertThrows(WeightException.class, () -> open(tiny).close());
        assertTrue(e.getMessage().contains("hidden_act 'gelu_new' is not supported"), e.getMessage());
    }

    @Test
    void closedCheckpointRefusesToLoad() throws IOException {
        TinyBertOnnx tiny = new TinyBertOnnx();
        OnnxCheckpoint onnx = open(tiny);
        onnx.close();
        WeightException e = assertThrows(WeightException.class, () -> onnx.load("bert.embeddings.LayerNorm.weight"));
        assertTrue(e.getMessage().contains("is closed"), e.getMessage());
    }
}
