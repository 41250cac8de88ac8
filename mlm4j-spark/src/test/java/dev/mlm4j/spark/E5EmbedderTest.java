package dev.mlm4j.spark;

import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.FeatureExtraction.Input;
import dev.mlm4j.pipelines.Models;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * E5's markers in Spark on the real e5-small-v2 (Maven Central, as the catalogue fetches it): {@link Embedder} puts
 * {@code "query: "} before each text by default, as {@code ./mlm4j embed} does, and {@code "passage: "} with
 * {@code input = "passage"}; the vectors are the Java pipeline's for that {@link Input} (to 1e-6), whose passage vectors
 * are ONNX Runtime's on the same file (FeatureExtractionOnnxRuntimeTest). A text that fits the model only without its
 * marker gets a null vector and a reason, not a failed task.
 */
class E5EmbedderTest {

    static final List<String> TEXTS = List.of("The giant panda lives in the mountains of Sichuan.", "how much protein should a female eat");

    @Test
    void queryByDefaultPassageWhenAsked() {
        FeatureExtraction fe = Models.embeddings("e5-small-v2");
        Map<Long, Row> byDefault = EmbedderTest.byId(new Embedder().setModel("e5-small-v2").transform(SparkTests.frame(TEXTS, 2)));
        Map<Long, Row> passages = EmbedderTest.byId(new Embedder().setModel("e5-small-v2").setInput("passage").transform(SparkTests.frame(TEXTS, 2)));
        for (int i = 0; i < TEXTS.size(); i++) {
            float[] query = fe.extract(List.of(TEXTS.get(i)), FeatureExtraction.Options.DEFAULT.withInput(Input.QUERY)).getFirst().vector();
            float[] passage = fe.extract(List.of(TEXTS.get(i)), FeatureExtraction.Options.DEFAULT.withInput(Input.PASSAGE)).getFirst().vector();
            assertTrue(Math.abs(query[0] - passage[0]) > 1e-4, "the two markers give different vectors");
            EmbedderTest.assertClose(query, EmbedderTest.floats(byDefault.get((long) i), 2), 1e-6, TEXTS.get(i) + " (query)");
            EmbedderTest.assertClose(passage, EmbedderTest.floats(passages.get((long) i), 2), 1e-6, TEXTS.get(i) + " (passage)");
        }
        assertThrows(IllegalArgumentException.class, () -> new Embedder().setInput("document"));
    }

    @Test
    void theMarkerCountsTowardsTheLength() {
        String text = "panda";
        var tok = Models.embeddings("e5-small-v2").tokenizer();
        int plain = tok.encode(text, Integer.MAX_VALUE, false).length(), marked = tok.encode("passage: " + text, Integer.MAX_VALUE, false).length();
        assertTrue(plain < marked - 1, plain + " < " + marked + " - 1");
        Row r = new Embedder().setModel("e5-small-v2").setInput("passage").setMaxLength(marked - 1).transform(SparkTests.frame(List.of(text), 1)).first();
        assertEquals(null, r.get(2));
        assertEquals("text is " + marked + " tokens, over maxLength of " + (marked - 1) + "; set truncate to keep its first " + (marked - 1), r.getString(3));
    }
}
