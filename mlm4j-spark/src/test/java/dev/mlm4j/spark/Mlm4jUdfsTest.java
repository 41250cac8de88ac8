package dev.mlm4j.spark;

import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.Models;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Mlm4jUdfsTest {

    @Test
    void embedAndTokenizeFromSql() {
        SparkSession spark = SparkTests.spark();
        assertEquals(List.of("embed", "tokenize"), Mlm4jUdfs.register(spark, "all-MiniLM-L6-v2"));   // no MLM head: no fill_mask
        List<String> texts = Arrays.asList(SparkTests.brown().get(5), null, "");
        SparkTests.frame(texts, 2).createOrReplaceTempView("docs");
        List<Row> rows = spark.sql("SELECT id, embed(text) AS v, tokenize(text).ids AS ids FROM docs ORDER BY id").collectAsList();
        FeatureExtraction fe = Models.embeddings("all-MiniLM-L6-v2");
        EmbedderTest.assertClose(fe.embed(texts.get(0)), EmbedderTest.floats(rows.get(0), 1), 1e-6, "embed()");
        assertEquals(fe.tokenizer().encode(texts.get(0), Integer.MAX_VALUE, false).length(), rows.get(0).getList(2).size());
        for (int i = 1; i < 3; i++) {
            assertNull(rows.get(i).get(1));
            assertNull(rows.get(i).get(2));
        }
    }

    @Test
    void fillMaskFromSql() {
        SparkSession spark = SparkTests.spark();
        assertEquals(List.of("embed", "tokenize", "fill_mask"), Mlm4jUdfs.register(spark, "bert-base-uncased"));
        Row r = spark.sql("SELECT fill_mask('Paris is the [MASK] of France.')[0].token AS best,"
                + " fill_mask('Hello I''m a [MASK] model.')[0].score AS p, fill_mask('no mask') AS none").first();
        assertEquals("capital", r.getString(0));
        assertEquals(0.1073, r.getDouble(1), 1e-3);   // fashion, Hugging Face's model card
        assertNull(r.get(2));
    }

    @Test
    void registeringAMissingModelFailsAtOnce() {
        var e = assertThrows(IllegalArgumentException.class, () -> Mlm4jUdfs.register(SparkTests.spark(), "/nowhere/model"));
        assertTrue(e.getMessage().contains("no such model '/nowhere/model'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Mlm4jUdfs.registerFillMask(SparkTests.spark(), "fm", "all-MiniLM-L6-v2"));
    }
}
