package dev.mlm4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TextClassifier against transformers' text-classification pipeline: every case of the tiny sentiment checkpoint's
 * expected.json (mlm4j-core/src/test/resources/tasks/tiny/sentiment, see {@link TinyTasks}), texts and pairs, each
 * kwargs setting as one stage over all its cases.
 */
class TextClassifierTest {

    static final String SENTIMENT = TinyTasks.tiny("sentiment").toString();

    /** The stage for a case's kwargs: top_k absent → unset (the best label), null → 0 (all), k → k. */
    static TextClassifier stage(JsonNode kwargs) {
        TextClassifier tc = new TextClassifier().setModel(SENTIMENT).setBatchSize(5);
        if (kwargs.has("top_k")) tc.setTopK(kwargs.get("top_k").isNull() ? 0 : kwargs.get("top_k").asInt());
        if (kwargs.has("function_to_apply")) tc.setFunctionToApply(kwargs.get("function_to_apply").asText());
        return tc;
    }

    @Test
    void everyFixtureCaseAsTransformersAnswersIt() {
        int checked = 0;
        for (Map.Entry<JsonNode, List<JsonNode>> group : TinyTasks.casesByKwargs("sentiment").entrySet()) {
            List<JsonNode> singles = new ArrayList<>(), pairs = new ArrayList<>();
            for (JsonNode c : group.getValue()) (c.get("input").isTextual() ? singles : pairs).add(c);
            TextClassifier tc = stage(group.getKey());
            checked += check(tc, singles, false) + check(tc.setTextPairCol("pair"), pairs, true);
        }
        assertEquals(192, checked);
    }

    private static int check(TextClassifier tc, List<JsonNode> cases, boolean pairs) {
        List<String[]> rows = new ArrayList<>();
        for (JsonNode c : cases) {
            JsonNode in = c.get("input");
            rows.add(pairs ? new String[] {in.get("text").asText(), in.get("text_pair").asText()} : new String[] {in.asText(), null});
        }
        Map<Long, Row> got = TinyTasks.byId(tc.transform(TinyTasks.pairFrame(rows, 3)));
        for (int i = 0; i < cases.size(); i++) {
            JsonNode want = cases.get(i).get("output");
            Row r = got.get((long) i);
            String where = cases.get(i).get("id").asText() + ": " + r;
            assertNull(r.get(4), where);
            if (tc.getTopK() == null) {   // the best label: HF wraps it in a list for a text, not for a pair
                TinyTasks.assertObject(pairs ? want : want.get(0), r.getStruct(3), where);
                if (!pairs) assertEquals(1, want.size(), where);
            } else {
                List<Row> labels = r.getList(3);
                assertEquals(want.size(), labels.size(), where);
                for (int k = 0; k < labels.size(); k++) TinyTasks.assertObject(want.get(k), labels.get(k), where);
            }
        }
        return cases.size();
    }

    @Test
    void theResultIsAStructForTheBestLabelElseAnArray() {
        Dataset<Row> frame = TinyTasks.pairFrame(List.<String[]>of(new String[] {"a", "b"}), 1);
        assertEquals("struct<id:bigint,text:string,pair:string,classification:struct<label:string,score:double>,reason:string>",
                new TextClassifier().setModel(SENTIMENT).transformSchema(frame.schema()).simpleString());
        assertEquals("array<struct<label:string,score:double>>",
                new TextClassifier().setModel(SENTIMENT).setTopK(0).transformSchema(frame.schema()).apply("classification").dataType().simpleString());
        var e = assertThrows(IllegalArgumentException.class, () -> new TextClassifier().setTextPairCol("hypothesis").transformSchema(frame.schema()));
        assertEquals("TextClassifier (textPairCol): no column 'hypothesis' in the input (columns: id, text, pair); set inputCol", e.getMessage());
    }

    @Test
    void badRowsGetAReasonAndTheJobGoesOn() {
        List<String[]> rows = List.of(new String[] {null, "x"}, new String[] {" ", "x"}, new String[] {"fine", null},
                new String[] {"word ".repeat(600), "x"}, new String[] {"The service was fine.", "It was."});
        Map<Long, Row> single = TinyTasks.byId(new TextClassifier().setModel(SENTIMENT).transform(TinyTasks.pairFrame(rows, 2)));
        assertEquals(Arrays.asList("text is null", "text is empty", null, "text is 602 tokens, over the model's maximum of 512 (its position table)", null),
                single.values().stream().sorted((a, b) -> Long.compare(a.getLong(0), b.getLong(0))).map(r -> r.getString(4)).toList());
        Map<Long, Row> pairs = TinyTasks.byId(new TextClassifier().setModel(SENTIMENT).setTextPairCol("pair").transform(TinyTasks.pairFrame(rows, 2)));
        assertEquals("text pair is null", pairs.get(2L).getString(4));
        assertTrue(pairs.get(3L).getString(4).startsWith("text and pair are 604 tokens, over the model's maximum"), pairs.get(3L).getString(4));
        for (long i = 0; i < 4; i++) assertNull(pairs.get(i).get(3), "row " + i);
        assertEquals("POSITIVE", pairs.get(4L).getStruct(3).getString(0));
        assertNull(pairs.get(4L).get(4));
    }

    @Test
    void aModelWithoutTheHeadFailsOnTheDriver() throws Exception {
        Dataset<Row> frame = SparkTests.frame(List.of("x"), 1);
        String ner = TinyTasks.tiny("ner").toString();
        assertEquals("TextClassifier: model '" + ner + "' is a BertForTokenClassification (config.json's architectures), not a sequence"
                + " classifier (BertForSequenceClassification): it cannot classify texts",
                assertThrows(IllegalArgumentException.class, () -> new TextClassifier().setModel(ner).transform(frame)).getMessage());
        assertEquals("TextClassifier: model 'bert-base-uncased' is a catalogued fill-mask model, not a sequence classifier: it cannot classify"
                + " texts; set model to the folder of a fine-tuned BertForSequenceClassification",
                assertThrows(IllegalArgumentException.class, () -> new TextClassifier().setModel("bert-base-uncased").transform(frame)).getMessage());
        assertEquals("TextClassifier: no model given (set model to a name or a folder)",
                assertThrows(IllegalArgumentException.class, () -> new TextClassifier().transform(frame)).getMessage());

        // a folder whose config.json does not say what it is: loaded on the driver, whose pipeline tells
        Path bare = SparkTests.tempDir("mlm4j-no-architectures");
        for (Path f : Files.list(TinyTasks.tiny("ner")).toList()) Files.copy(f, bare.resolve(f.getFileName()));
        Files.writeString(bare.resolve("config.json"), Files.readString(bare.resolve("config.json"))
                .replace("\"BertForTokenClassification\"", "").replace("\"architectures\": [", "\"architectures_was\": ["));
        var e = assertThrows(IllegalArgumentException.class, () -> new TextClassifier().setModel(bare.toString()).transform(frame));
        assertTrue(e.getMessage().startsWith("TextClassifier: ") && e.getMessage().contains("bert.pooler.dense.weight"), e.getMessage());
    }

    @Test
    void savesAndLoadsWithItsParams() throws Exception {
        SparkTests.spark();
        Path dir = SparkTests.tempDir("mlm4j-classifier");
        new TextClassifier().setModel(SENTIMENT).setTextPairCol("hypothesis").setTopK(0).setFunctionToApply("sigmoid").setBatchSize(8)
                .write().save(dir.resolve("a").toString());
        TextClassifier a = TextClassifier.load(dir.resolve("a").toString());
        assertEquals(SENTIMENT, a.getModel());
        assertEquals("hypothesis", a.getTextPairCol());
        assertEquals(0, a.getTopK());
        assertEquals("sigmoid", a.getFunctionToApply());
        assertEquals(8, a.getBatchSize());
        new TextClassifier().write().save(dir.resolve("b").toString());
        TextClassifier b = TextClassifier.load(dir.resolve("b").toString());
        assertNull(b.getTopK());             // unset stays unset: the best label, HF's default
        assertNull(b.getFunctionToApply());
        assertNull(b.getTextPairCol());
    }
}
