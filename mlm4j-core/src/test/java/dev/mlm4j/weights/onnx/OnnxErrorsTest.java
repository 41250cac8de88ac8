package dev.mlm4j.weights.onnx;

import com.google.protobuf.ByteString;
import dev.mlm4j.weights.WeightException;
import dev.mlm4j.weights.onnx.OnnxProto.GraphProto;
import dev.mlm4j.weights.onnx.OnnxProto.ModelProto;
import dev.mlm4j.weights.onnx.OnnxProto.NodeProto;
import dev.mlm4j.weights.onnx.OnnxProto.TensorProto;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Broken files and graphs from the real MiniLM export: each must fail at open with a message that says what is wrong. */
class OnnxErrorsTest {
    private static Path original;
    private static ModelProto model;

    @TempDir
    Path dir;

    @BeforeAll
    static void read() throws IOException {
        original = TestModels.onnx(TestModels.MINILM);
        model = ModelProto.parseFrom(Files.readAllBytes(original));
    }

    private static String failure(Path file) {
        return assertThrows(WeightException.class, () -> OnnxCheckpoint.open(file).close()).getMessage();
    }

    private Path write(ModelProto m) throws IOException {
        Path file = dir.resolve("broken.onnx");
        Files.write(file, m.toByteArray());
        return file;
    }

    private static void assertContains(String message, String expected) {
        assertTrue(message.contains(expected), "expected '" + expected + "' in: " + message);
    }

    /** Cut at the start, inside the embeddings, inside layer 3, and just before the end. */
    @ParameterizedTest
    @ValueSource(longs = {16, 1_000_000, 60_000_000, -4096})
    void truncatedFileIsAClearErrorNotGarbage(long cut) throws IOException {
        long size = Files.size(original);
        long keep = cut > 0 ? cut : size + cut;
        Path file = dir.resolve("truncated.onnx");
        try (FileChannel in = FileChannel.open(original); FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            in.transferTo(0, keep, out);
        }
        String m = failure(file);
        assertContains(m, file.toString());
        assertContains(m, "truncated or corrupt");
    }

    @Test
    void emptyAndNonOnnxFilesAreRefused() throws IOException {
        Path empty = Files.write(dir.resolve("empty.onnx"), new byte[0]);
        assertContains(failure(empty), "holds no ONNX graph");
        Path json = Files.write(dir.resolve("config.onnx"), "{\"hidden_size\": 384}".getBytes());
        failure(json);
        assertContains(failure(dir.resolve("absent.onnx")), "no ONNX model file at");
    }

    @Test
    void removedQueryProjectionOfLayer2IsNamed() throws IOException {
        String m = failure(write(withoutNode(n -> n.getName().equals("/encoder/layer.2/attention/self/query/MatMul"))));
        assertContains(m, "no initializer feeds the query projection of layer 2");
        assertContains(m, "bert.encoder.layer.2.attention.self.query.bias");
        assertContains(m, "Weights that could not be placed: onnx::MatMul_813 [384, 384]");
    }

    @Test
    void removedIntermediateBiasAddFallsBackToTheNodeNameWhichStillAgrees() throws IOException {
        // without the Add, nothing links the MatMul to its bias; the exporter's node name still says where it belongs
        Path file = write(withoutNode(n -> n.getName().equals("/encoder/layer.4/intermediate/dense/Add")));
        try (OnnxCheckpoint onnx = OnnxCheckpoint.open(file)) {
            assertTrue(onnx.source("bert.encoder.layer.4.intermediate.dense.weight").transposed());
        }
    }

    @Test
    void missingInitializerIsNamed() throws IOException {
        GraphProto.Builder g = model.getGraph().toBuilder();
        for (int i = g.getInitializerCount() - 1; i >= 0; i--) {
            if (g.getInitializer(i).getName().equals("embeddings.token_type_embeddings.weight")) g.removeInitializer(i);
        }
        assertContains(failure(write(model.toBuilder().setGraph(g).build())), "no initializer 'bert.embeddings.token_type_embeddings.weight'");
    }

    @Test
    void missingEpsilonIsNamed() throws IOException {
        String m = failure(write(withoutNode(n -> n.getName().equals("/encoder/layer.1/output/LayerNorm/Add"))));
        assertContains(m, "cannot find layer_norm_eps: encoder.layer.1.output.LayerNorm.weight");
    }

    @Test
    void headCountMissingFromLayer3IsNamed() throws IOException {
        String m = failure(write(withoutNode(n -> n.getName().equals("/encoder/layer.3/attention/self/Reshape_2")
                || n.getName().equals("/encoder/layer.3/attention/self/Div"))));
        assertContains(m, "cannot find the number of attention heads of layer 3");
    }

    @Test
    void corruptInitializerSizeIsReportedAtOpen() throws IOException {
        GraphProto.Builder g = model.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            if (t.getName().equals("onnx::MatMul_787")) {
                g.setInitializer(i, t.toBuilder().setRawData(t.getRawData().substring(0, t.getRawData().size() - 4)));
            }
        }
        String m = failure(write(model.toBuilder().setGraph(g).build()));
        assertContains(m, "tensor 'onnx::MatMul_787'");
        assertContains(m, "(589824 bytes) but 589820 bytes of raw_data");
    }

    @Test
    void hostileDimensionsAreRefusedWithoutAllocating() throws IOException {
        GraphProto.Builder g = model.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            if (t.getName().equals("embeddings.word_embeddings.weight")) {
                g.setInitializer(i, t.toBuilder().clearDims().addDims(1L << 40).addDims(1L << 40).setRawData(ByteString.EMPTY));
            }
        }
        assertContains(failure(write(model.toBuilder().setGraph(g).build())), "is too large to load into one array");
    }

    private static ModelProto withoutNode(Predicate<NodeProto> drop) {
        GraphProto.Builder g = model.getGraph().toBuilder();
        int before = g.getNodeCount();
        for (int i = g.getNodeCount() - 1; i >= 0; i--) {
            if (drop.test(g.getNode(i))) g.removeNode(i);
        }
        assertTrue(g.getNodeCount() < before, "no node matched");
        return model.toBuilder().setGraph(g).build();
    }
}
