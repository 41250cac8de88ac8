package dev.mlm4j.spark;

import dev.mlm4j.pipelines.FillMask;
import dev.mlm4j.pipelines.Models;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
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

class MaskFillerTest {

    private static Map<Long, Row> byId(Dataset<Row> out) {
        Map<Long, Row> m = new HashMap<>();
        for (Row r : out.collectAsList()) m.put(r.getLong(0), r);
        return m;
    }

    /** Brown sentences with their fourth word masked. */
    static List<String> maskedBrown(int n) {
        List<String> out = new ArrayList<>();
        for (String s : SparkTests.brown()) {
            String[] w = s.split(" ");
            if (w.length < 6) continue;
            w[3] = "[MASK]";
            out.add(String.join(" ", w));
            if (out.size() == n) break;
        }
        return out;
    }

    @Test
    void schemaIsAnArrayOfCandidateStructs() {
        Dataset<Row> out = new MaskFiller().transform(SparkTests.frame(List.of("a [MASK] b"), 1));
        assertEquals("struct<id:bigint,text:string,predictions:array<struct<mask:int,position:int,token:string,token_id:int,"
                + "score:double,sequence:string>>,reason:string>", out.schema().simpleString());
    }

    @Test
    void modelCardNumbersOfBertBaseUncased() {
        Row r = new MaskFiller().transform(SparkTests.frame(List.of("Hello I'm a [MASK] model."), 1)).first();
        List<Row> c = r.getList(2);
        String[] tokens = {"fashion", "role", "new", "super", "fine"};
        double[] scores = {0.1073, 0.0877, 0.0534, 0.0467, 0.0271};   // Hugging Face's model card
        assertEquals(5, c.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(0, c.get(i).getInt(0));
            assertEquals(6, c.get(i).getInt(1));
            assertEquals(tokens[i], c.get(i).getString(2));
            assertEquals(scores[i], c.get(i).getDouble(4), 1e-3, tokens[i]);
        }
        assertEquals("hello i'm a fashion model.", c.get(0).getString(5));
        assertNull(r.get(3));
    }

    @Test
    void sameAsTheJavaPipelineWhateverThePartitionAndBatch() {
        List<String> texts = maskedBrown(48);
        FillMask fill = Models.fillMask("bert-base-uncased");
        List<List<FillMask.MaskResult>> expected = new ArrayList<>();
        for (String t : texts) expected.add(fill.fill(t, FillMask.Options.DEFAULT));     // each text alone
        for (int[] setting : new int[][] {{3, 32, 4096}, {5, 1, 4096}, {2, 7, 200}}) {
            Map<Long, Row> got = byId(new MaskFiller().setBatchSize(setting[1]).setBatchTokens(setting[2])
                    .transform(SparkTests.frame(texts, setting[0])));
            for (int i = 0; i < texts.size(); i++) {
                FillMask.MaskResult want = expected.get(i).getFirst();
                List<Row> c = got.get((long) i).getList(2);
                assertEquals(want.predictions().size(), c.size());
                for (int k = 0; k < c.size(); k++) {
                    String where = texts.get(i) + " candidate " + k + " with " + Arrays.toString(setting);
                    assertEquals(want.predictions().get(k).token(), c.get(k).getInt(3), where);
                    assertEquals(want.predictions().get(k).score(), c.get(k).getDouble(4), 1e-6, where);
                    assertEquals(want.predictions().get(k).sequence(), c.get(k).getString(5), where);
                }
            }
        }
    }

    @Test
    void severalMasksTargetsAndTopK() {
        Row r = new MaskFiller().setTopK(3).transform(SparkTests.frame(List.of("The [MASK] sat on the [MASK]."), 1)).first();
        List<Row> c = r.getList(2);
        assertEquals(6, c.size());
        assertEquals(List.of(0, 0, 0, 1, 1, 1), c.stream().map(x -> x.getInt(0)).toList());
        assertEquals(List.of(2, 2, 2, 6, 6, 6), c.stream().map(x -> x.getInt(1)).toList());

        Row t = new MaskFiller().setTargets("cat", "dog").transform(SparkTests.frame(List.of("The [MASK] barked at the mailman."), 1)).first();
        List<Row> tc = t.getList(2);
        assertEquals(List.of("dog", "cat"), tc.stream().map(x -> x.getString(2)).toList());
        FillMask.Prediction best = Models.fillMask("bert-base-uncased").fill("The [MASK] barked at the mailman.",
                new FillMask.Options(5, List.of("cat", "dog"), false, false)).getFirst().predictions().getFirst();
        assertEquals(best.score(), tc.getFirst().getDouble(4), 1e-9);
    }

    @Test
    void badRowsGetAReasonAndTheJobGoesOn() {
        String longText = "word ".repeat(600) + "[MASK].";
        List<String> texts = Arrays.asList(null, "", "no mask here", longText, "Paris is the [MASK] of France.");
        Map<Long, Row> got = byId(new MaskFiller().transform(SparkTests.frame(texts, 2)));
        assertEquals("text is null", got.get(0L).getString(3));
        assertEquals("text is empty", got.get(1L).getString(3));
        assertEquals("no [MASK] token in the text", got.get(2L).getString(3));
        assertTrue(got.get(3L).getString(3).contains("604 tokens long"), got.get(3L).getString(3));
        // the stage's param by name, as Embedder's reason ("…; set truncate to keep its first 256"), not the core's generic words
        assertTrue(got.get(3L).getString(3).endsWith("; set truncate to keep its first 512"), got.get(3L).getString(3));
        for (long i = 0; i < 4; i++) assertNull(got.get(i).get(2), "row " + i);
        assertEquals("capital", got.get(4L).<Row>getList(2).getFirst().getString(2));
        assertNull(got.get(4L).get(3));

        Map<Long, Row> truncated = byId(new MaskFiller().setTruncate(true).transform(SparkTests.frame(texts, 2)));
        assertEquals("no [MASK] token left after truncation to 512 tokens", truncated.get(3L).getString(3));
        Map<Long, Row> early = byId(new MaskFiller().setTruncate(true)
                .transform(SparkTests.frame(List.of("[MASK] " + "word ".repeat(600)), 1)));
        assertNotNull(early.get(0L).get(2));
    }

    @Test
    void aModelWithoutMaskedLmHeadFailsOnTheDriver() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new MaskFiller().setModel("all-MiniLM-L6-v2").transform(SparkTests.frame(List.of("a [MASK]"), 1)));
        assertTrue(e.getMessage().contains("no masked-language-model head"), e.getMessage());
    }
}
