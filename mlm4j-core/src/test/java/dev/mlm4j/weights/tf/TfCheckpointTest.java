package dev.mlm4j.weights.tf;

import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.DType;
import dev.mlm4j.weights.TensorInfo;
import dev.mlm4j.weights.WeightException;
import dev.mlm4j.weights.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class TfCheckpointTest {
    @TempDir
    Path dir;

    /** A 2×3 Dense kernel as TensorFlow stores it: [in = 2, out = 3]. */
    static final float[] KERNEL = {1, 2, 3, 4, 5, 6};

    private Path tinyBert() throws IOException {
        TestBundleWriter w = new TestBundleWriter();
        w.addFloats("module/bert/encoder/layer_0/attention/self/query/kernel", KERNEL, 2, 3);
        w.addFloats("module/bert/encoder/layer_0/attention/self/query/bias", new float[] {7, 8, 9}, 3);
        w.addFloats("module/bert/encoder/layer_0/attention/self/query/kernel/adam_m", KERNEL, 2, 3);
        w.addFloats("module/bert/encoder/layer_0/attention/self/query/kernel/adam_v", KERNEL, 2, 3);
        w.addFloats("module/bert/embeddings/word_embeddings", new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);
        w.addFloats("module/bert/embeddings/LayerNorm/gamma", new float[] {1, 1}, 2);
        w.addFloats("module/bert/embeddings/LayerNorm/beta", new float[] {0, 0}, 2);
        w.addFloats("module/cls/predictions/output_bias", new float[] {0.5f, 0.25f, 0, -1}, 4);
        w.addFloats("module/bert/extra/thing-1", new float[] {3}, 1);
        w.add("module/bert/step", BundleEntry.DT_INT32, new long[] {}, new byte[4]);
        w.add("global_step", BundleEntry.DT_INT64, new long[] {}, ByteBuffer.allocate(8).putLong(1).array());
        return w.write(dir, "variables");
    }

    @Test
    void presentsHuggingFaceNamesAndLayouts() throws IOException {
        try (TfCheckpoint c = TfCheckpoint.open(tinyBert())) {
            assertEquals(Set.of("bert.encoder.layer.0.attention.self.query.weight", "bert.encoder.layer.0.attention.self.query.bias",
                    "bert.embeddings.word_embeddings.weight", "bert.embeddings.LayerNorm.weight", "bert.embeddings.LayerNorm.bias",
                    "cls.predictions.bias", "bert.extra.thing_1"), c.names());
            TensorInfo q = c.info("bert.encoder.layer.0.attention.self.query.weight");
            assertEquals(DType.F32, q.dtype());
            assertArrayEquals(new int[] {3, 2}, q.shape(), "kernel [in, out] is presented as [out, in]");
            FloatTensor w = c.load("bert.encoder.layer.0.attention.self.query.weight");
            assertArrayEquals(new int[] {3, 2}, w.shape());
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, w.toArray());
            assertArrayEquals(new int[] {4, 2}, c.info("bert.embeddings.word_embeddings.weight").shape(), "embeddings are not transposed");
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, c.load("bert.embeddings.word_embeddings.weight").toArray());
            assertArrayEquals(new float[] {0.5f, 0.25f, 0, -1}, c.load("cls.predictions.bias").toArray());
            assertEquals("module/cls/predictions/output_bias", c.tfName("cls.predictions.bias"));
            assertNull(c.info("bert.nothing"));
            assertEquals(List.of("global_step (training state)",
                    "module/bert/encoder/layer_0/attention/self/query/kernel/adam_m (training state)",
                    "module/bert/encoder/layer_0/attention/self/query/kernel/adam_v (training state)",
                    "module/bert/step (DT_INT32, not floating point)"), c.skipped().stream().sorted().toList());
            assertEquals(List.of("bert.extra.thing_1"), c.unrecognised());
            var e = assertThrows(WeightException.class, () -> c.load("bert.nothing"));
            assertTrue(e.getMessage().contains("'bert.nothing'") && e.getMessage().contains(c.origin()), e.getMessage());
        }
    }

    @Test
    void scopedWeightsReachTheTensorsAndCheckShapes() throws IOException {
        try (TfCheckpoint c = TfCheckpoint.open(tinyBert())) {
            Weights query = new Weights(c).prefix("bert").prefix("encoder").prefix("layer", 0).prefix("attention").prefix("self").prefix("query");
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, query.tensor("weight", 3, 2).toArray());
            var e = assertThrows(WeightException.class, () -> query.tensor("weight", 2, 3));
            assertTrue(e.getMessage().contains("has shape [3, 2]"), e.getMessage());
        }
    }

    @Test
    void twoVariablesMappingToOneNameAreRefused() throws IOException {
        TestBundleWriter w = new TestBundleWriter();
        w.addFloats("module/bert/pooler/dense/bias", new float[] {1}, 1);
        w.addFloats("bert/pooler/dense/bias", new float[] {2}, 1);
        Path index = w.write(dir, "dup");
        var e = assertThrows(WeightException.class, () -> TfCheckpoint.open(index));
        assertTrue(e.getMessage().contains("'bert/pooler/dense/bias' and 'module/bert/pooler/dense/bias'")
                && e.getMessage().contains("'bert.pooler.dense.bias'"), e.getMessage());
    }

    @Test
    void transposeMatchesTheDefinitionOnAwkwardShapes() {
        Random rnd = new Random(7);
        for (int[] s : new int[][] {{1, 1}, {1, 17}, {17, 1}, {15, 33}, {33, 15}, {48, 48}, {100, 7}}) {
            float[] a = new float[s[0] * s[1]];
            for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat();
            float[] t = dev.mlm4j.weights.Layouts.transpose(a, s[0], s[1]);
            for (int i = 0; i < s[0]; i++) {
                for (int j = 0; j < s[1]; j++) assertEquals(a[i * s[1] + j], t[j * s[0] + i], "(" + i + ", " + j + ") of " + s[0] + "x" + s[1]);
            }
        }
    }
}
