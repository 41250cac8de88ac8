package dev.mlm4j.spark;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A model that cannot be found fails in transform(), on the driver, before any job is submitted. */
class ModelCheckTest {

    private static String failure(Mlm4jTransformer<?> stage) {
        var frame = SparkTests.frame(List.of("text [MASK]"), 1);
        int jobsBefore = SparkTests.spark().sparkContext().statusTracker().getJobIdsForGroup(null).length;
        var e = assertThrows(IllegalArgumentException.class, () -> stage.transform(frame));
        assertEquals(jobsBefore, SparkTests.spark().sparkContext().statusTracker().getJobIdsForGroup(null).length, "a job ran");
        return e.getMessage();
    }

    @Test
    void aMissingFolder() {
        String m = failure(new Tokenizer().setModel("/no/such/model-folder"));
        assertTrue(m.startsWith("Tokenizer: no such model '/no/such/model-folder': not a folder the driver can read"), m);
        assertTrue(m.contains("bert-base-uncased"), m);   // the known names
    }

    @Test
    void anUnknownName() {
        String m = failure(new MaskFiller().setModel("bert-huge-unheard-of"));
        assertTrue(m.contains("no such model 'bert-huge-unheard-of'") && m.contains("all-MiniLM-L6-v2"), m);
    }

    @Test
    void aFolderThatIsNoModel() {
        Path dir = SparkTests.tempDir("not-a-model");
        String m = failure(new AttentionGraphs().setModel(dir.toString()));
        assertTrue(m.contains(dir + " is not a model folder"), m);
    }

    @Test
    void aRemoteUri() {
        String m = failure(new Tokenizer().setModel("hdfs://namenode/models/bert"));
        assertTrue(m.contains("is a URI"), m);
    }

    @Test
    void aMissingInputColumn() {
        var frame = SparkTests.frame(List.of("x"), 1);
        var e = assertThrows(IllegalArgumentException.class, () -> new Tokenizer().setInputCol("body").transform(frame));
        assertEquals("Tokenizer: no column 'body' in the input (columns: id, text); set inputCol", e.getMessage());
    }
}
