package dev.mlm4j.spark;

import dev.mlm4j.explorer.AttentionView;
import dev.mlm4j.explorer.ExplorerModel;
import dev.mlm4j.explorer.ExplorerOptions;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttentionGraphsTest {

    static final String TEXT = "The quick brown fox jumps over the lazy dog.";
    static ExplorerModel model;

    @BeforeAll
    static void load() {
        model = ExplorerModel.load("bert-base-uncased");
    }

    @Test
    void schemaIsAnEdgeTable() {
        Dataset<Row> out = new AttentionGraphs().setLayers(0).setHeads(0).transform(SparkTests.frame(List.of("a b"), 1));
        assertEquals("struct<id:bigint,layer:int,head:int,from:int,to:int,from_token:string,to_token:string,weight:float,reason:string>",
                out.schema().simpleString());
    }

    @Test
    void weightsAreTheExplorersMatrices() {
        AttentionView view = model.run(TEXT, null, ExplorerOptions.DEFAULT);
        int n = view.length();
        List<Row> rows = new AttentionGraphs().setLayers(0, 2, 11).setHeads(0, 5, AttentionView.MEAN)
                .transform(SparkTests.frame(List.of(TEXT), 1)).collectAsList();
        assertEquals(3 * 3 * n * n, rows.size());
        for (Row r : rows) {
            int layer = r.getInt(1), head = r.getInt(2), i = r.getInt(3), j = r.getInt(4);
            assertEquals((float) view.attention(layer, head)[i][j], r.getFloat(7), "layer " + layer + " head " + head + " " + i + "→" + j);
            assertEquals(view.tokens().get(i).text(), r.getString(5));
            assertEquals(view.tokens().get(j).text(), r.getString(6));
            assertNull(r.get(8));
        }
    }

    @Test
    void everyHeadOfEveryLayerAndRowsSumToOne() {
        List<String> texts = List.of("the cat sat on the mat", "o cão corre", "Paris is the capital of France.");
        Dataset<Row> edges = new AttentionGraphs().transform(SparkTests.frame(texts, 2));
        long expected = 0;
        for (String t : texts) {
            int n = model.tokenizer().encode(t).length();
            expected += 12L * 12 * n * n;
        }
        assertEquals(expected, edges.count());
        List<Row> sums = edges.groupBy("id", "layer", "head", "from").agg(sum(col("weight")).as("s")).collectAsList();
        for (Row s : sums) assertEquals(1.0, s.getDouble(4), 1e-5, s.toString());
    }

    @Test
    void causalRunsAttendOnlyToTheLeft() {
        Dataset<Row> edges = new AttentionGraphs().setCausal(true).setLayers(3).transform(SparkTests.frame(List.of(TEXT), 1));
        assertEquals(0, edges.filter(col("to").gt(col("from"))).filter(col("weight").notEqual(0f)).count());
        assertTrue(edges.filter(col("to").lt(col("from"))).filter(col("weight").gt(0f)).count() > 0);
    }

    @Test
    void minWeightKeepsOnlyStrongEdges() {
        Dataset<Row> edges = new AttentionGraphs().setLayers(2).setHeads(0).setMinWeight(0.3).transform(SparkTests.frame(List.of(TEXT), 1));
        double[][] a = model.run(TEXT, null, ExplorerOptions.DEFAULT).attention(2, 0);
        long strong = Arrays.stream(a).flatMapToDouble(Arrays::stream).filter(w -> (float) w >= 0.3).count();
        assertEquals(strong, edges.count());
        assertTrue(strong > 0 && strong < (long) a.length * a.length);
    }

    @Test
    void badDocumentsGiveOneRowWithAReason() {
        List<String> texts = Arrays.asList(null, "word ".repeat(600));
        List<Row> rows = new AttentionGraphs().setLayers(0).setHeads(0).transform(SparkTests.frame(texts, 1)).orderBy("id").collectAsList();
        assertEquals(2, rows.size());
        assertEquals("text is null", rows.get(0).getString(8));
        assertTrue(rows.get(1).getString(8).contains("602 tokens long"), rows.get(1).getString(8));
        for (Row r : rows) for (int c = 1; c <= 7; c++) assertNull(r.get(c));
    }

    @Test
    void aLayerTheModelDoesNotHaveFailsTheJob() {
        var e = assertThrows(SparkException.class,
                () -> new AttentionGraphs().setLayers(12).transform(SparkTests.frame(List.of(TEXT), 1)).count());
        assertTrue(e.getMessage().contains("layer 12 is out of range"), e.getMessage());
    }
}
