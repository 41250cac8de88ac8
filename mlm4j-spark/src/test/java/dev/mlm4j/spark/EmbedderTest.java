package dev.mlm4j.spark;

import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.Pooling;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class EmbedderTest {

    static FeatureExtraction fe;
    static List<String> brown;
    static List<float[]> alone;   // each Brown sentence embedded by itself through the Java API

    @BeforeAll
    static void reference() {
        fe = Models.embeddings("all-MiniLM-L6-v2");
        brown = SparkTests.brown();
        alone = new ArrayList<>();
        for (String s : brown) alone.add(fe.embed(s));
    }

    static Map<Long, Row> byId(Dataset<Row> out) {
        Map<Long, Row> m = new HashMap<>();
        for (Row r : out.collectAsList()) m.put(r.getLong(0), r);
        return m;
    }

    static float[] floats(Row r, int column) {
        List<Float> l = r.getList(column);
        float[] v = new float[l.size()];
        for (int i = 0; i < v.length; i++) v[i] = l.get(i);
        return v;
    }

    /** Fails with the first differing index, llm.c style. */
    static void assertClose(float[] want, float[] got, double tolerance, String what) {
        assertEquals(want.length, got.length, what + ": dimension");
        for (int i = 0; i < want.length; i++) {
            if (Math.abs(want[i] - got[i]) > tolerance) fail(what + ": first mismatch at [" + i + "]: want " + want[i] + ", got " + got[i]);
        }
    }

    @Test
    void schemaIsArrayOfFloatOrAnMlVector() {
        var frame = SparkTests.frame(List.of("a"), 1);
        assertEquals("struct<id:bigint,text:string,embedding:array<float>,reason:string>",
                new Embedder().transform(frame).schema().simpleString());
        assertEquals("struct<id:bigint,text:string,embedding:vector,reason:string>",
                new Embedder().setOutputType("vector").transform(frame).schema().simpleString());
    }

    @Test
    void brownSentencesGiveTheJavaApisVectorsWhateverPartitionAndBatch() {
        for (int[] setting : new int[][] {{4, 64, 4096}, {7, 1, 4096}, {3, 13, 300}}) {
            Map<Long, Row> got = byId(new Embedder().setBatchSize(setting[1]).setBatchTokens(setting[2])
                    .transform(SparkTests.frame(brown, setting[0])));
            assertEquals(brown.size(), got.size());
            for (int i = 0; i < brown.size(); i++) {
                Row r = got.get((long) i);
                assertNull(r.get(3), "reason of " + i);
                assertClose(alone.get(i), floats(r, 2), 1e-6, "sentence " + i + " with partitions/batch/tokens " + Arrays.toString(setting));
            }
        }
    }

    @Test
    void vectorsAreUnitLengthAsTheModelCardSays() {
        Row r = new Embedder().transform(SparkTests.frame(List.of("A man is playing a guitar."), 1)).first();
        float[] v = floats(r, 2);
        assertEquals(384, v.length);
        double n = 0;
        for (float x : v) n += x * x;
        assertEquals(1.0, Math.sqrt(n), 1e-5);
    }

    @Test
    void mlVectorsHoldTheSameNumbers() {
        List<String> some = brown.subList(0, 20);
        Map<Long, Row> got = byId(new Embedder().setOutputType("vector").transform(SparkTests.frame(some, 2)));
        for (int i = 0; i < some.size(); i++) {
            Vector v = (Vector) got.get((long) i).get(2);
            float[] f = new float[v.size()];
            for (int k = 0; k < f.length; k++) f[k] = (float) v.apply(k);
            assertClose(alone.get(i), f, 1e-6, "sentence " + i);
        }
    }

    @Test
    void poolingAndNormalisationOptions() {
        List<String> some = brown.subList(20, 40);
        FeatureExtraction.Options o = FeatureExtraction.Options.DEFAULT.withPooling(Pooling.CLS).withNormalize(false);
        List<FeatureExtraction.Embedding> want = fe.extract(some, o);
        Map<Long, Row> got = byId(new Embedder().setPooling("cls").setNormalize(false).transform(SparkTests.frame(some, 2)));
        for (int i = 0; i < some.size(); i++) assertClose(want.get(i).vector(), floats(got.get((long) i), 2), 1e-6, "cls sentence " + i);
        assertThrows(IllegalArgumentException.class, () -> new Embedder().setPooling("max"));
    }

    @Test
    void badRowsGetANullVectorAndAReason() {
        String tooLong = "word ".repeat(600);
        List<String> texts = Arrays.asList(null, "", " ", tooLong, brown.get(0));
        Map<Long, Row> got = byId(new Embedder().transform(SparkTests.frame(texts, 2)));
        assertEquals("text is null", got.get(0L).getString(3));
        assertEquals("text is empty", got.get(1L).getString(3));
        assertEquals("text is empty", got.get(2L).getString(3));
        assertEquals("text is 602 tokens, over the model's maximum of 512; set truncate to keep its first 256", got.get(3L).getString(3));
        for (long i = 0; i < 4; i++) assertNull(got.get(i).get(2), "row " + i);
        assertClose(alone.get(0), floats(got.get(4L), 2), 1e-6, "the good row");

        // over the working length (256, sentence-transformers' max_seq_length), within the position table: refused as
        // FeatureExtraction refuses it; with maxLength 512 it is run whole
        String over256 = "word ".repeat(298);
        Map<Long, Row> medium = byId(new Embedder().transform(SparkTests.frame(List.of(over256), 1)));
        assertEquals("text is 300 tokens, over the model's working length of 256 (a max length of up to 512 would run it whole);"
                + " set truncate to keep its first 256", medium.get(0L).getString(3));
        assertNull(medium.get(0L).get(2));
        Map<Long, Row> whole = byId(new Embedder().setMaxLength(512).transform(SparkTests.frame(List.of(over256), 1)));
        assertClose(fe.extract(List.of(over256), FeatureExtraction.Options.DEFAULT.withMaxLength(512)).getFirst().vector(),
                floats(whole.get(0L), 2), 1e-6, "run whole with maxLength 512");

        Map<Long, Row> cut = byId(new Embedder().setTruncate(true).transform(SparkTests.frame(texts, 2)));
        assertNull(cut.get(3L).get(3));
        assertClose(fe.extract(List.of(tooLong), FeatureExtraction.Options.DEFAULT.withTruncate(true)).getFirst().vector(),
                floats(cut.get(3L), 2), 1e-6, "truncated");
        Map<Long, Row> limited = byId(new Embedder().setMaxLength(16).transform(SparkTests.frame(List.of(brown.get(0)), 1)));
        assertTrue(limited.get(0L).getString(3).startsWith("text is "), limited.get(0L).getString(3));
        assertNotNull(byId(new Embedder().setMaxLength(16).setTruncate(true).transform(SparkTests.frame(List.of(brown.get(0)), 1))).get(0L).get(2));
    }
}
