package dev.mlm4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EntityTagger against transformers' token-classification pipeline: every case of the tiny NER checkpoint's
 * expected.json (mlm4j-core/src/test/resources/tasks/tiny/ner, see {@link TinyTasks}) — every aggregation strategy,
 * ignore_labels, stride over long texts — each kwargs setting as one stage over all its cases.
 */
class EntityTaggerTest {

    static final String NER = TinyTasks.tiny("ner").toString();

    static EntityTagger stage(JsonNode kwargs) {
        EntityTagger t = new EntityTagger().setModel(NER).setAggregationStrategy(kwargs.path("aggregation_strategy").asText("none"));
        if (kwargs.has("ignore_labels")) {
            List<String> ignore = new ArrayList<>();
            kwargs.get("ignore_labels").forEach(n -> ignore.add(n.asText()));
            t.setIgnoreLabels(ignore.toArray(String[]::new));
        }
        if (kwargs.has("stride")) t.setStride(kwargs.get("stride").asInt());
        return t;
    }

    @Test
    void everyFixtureCaseAsTransformersAnswersIt() {
        int checked = 0, entities = 0;
        for (Map.Entry<JsonNode, List<JsonNode>> group : TinyTasks.casesByKwargs("ner").entrySet()) {
            List<JsonNode> cases = group.getValue();
            List<String> texts = cases.stream().map(c -> c.get("input").asText()).toList();
            Map<Long, Row> got = TinyTasks.byId(stage(group.getKey()).transform(SparkTests.frame(texts, 2)));
            for (int i = 0; i < cases.size(); i++) {
                JsonNode want = cases.get(i).get("output");
                Row r = got.get((long) i);
                String where = cases.get(i).get("id").asText();
                assertNull(r.get(3), where);
                List<Row> found = r.getList(2);
                assertEquals(want.size(), found.size(), where + ": " + found);
                for (int k = 0; k < found.size(); k++) TinyTasks.assertObject(want.get(k), found.get(k), where + " #" + k);
                entities += found.size();
                checked++;
            }
        }
        assertEquals(192, checked);
        assertTrue(entities > 1000, entities + " entities");
    }

    @Test
    void theEntityStructFollowsTheAggregation() {
        Dataset<Row> frame = SparkTests.frame(List.of("x"), 1);
        assertEquals("struct<id:bigint,text:string,entities:array<struct<entity:string,score:double,index:int,word:string,start:int,end:int>>,"
                + "reason:string>", new EntityTagger().setModel(NER).transformSchema(frame.schema()).simpleString());
        assertEquals("array<struct<entity_group:string,score:double,word:string,start:int,end:int>>", new EntityTagger()
                .setAggregationStrategy("first").transformSchema(frame.schema()).apply("entities").dataType().simpleString());
    }

    @Test
    void badRowsGetAReasonAndBadSettingsFailOnTheDriver() {
        Map<Long, Row> got = TinyTasks.byId(new EntityTagger().setModel(NER).setAggregationStrategy("simple")
                .transform(SparkTests.frame(Arrays.asList(null, "", "Angela Merkel met Emmanuel Macron in Paris on Monday."), 2)));
        assertEquals("text is null", got.get(0L).getString(3));
        assertEquals("text is empty", got.get(1L).getString(3));
        assertNull(got.get(0L).get(2));
        assertNull(got.get(1L).get(2));
        assertEquals("PER", got.get(2L).<Row>getList(2).getFirst().getString(0));

        Dataset<Row> frame = SparkTests.frame(List.of("x"), 1);
        assertEquals("EntityTagger: stride needs an aggregation strategy other than none (simple, first, average or max), as in Hugging Face's"
                + " pipeline", assertThrows(IllegalArgumentException.class, () -> new EntityTagger().setModel(NER).setStride(16).transform(frame))
                .getMessage());
        String sentiment = TinyTasks.tiny("sentiment").toString();
        assertEquals("EntityTagger: model '" + sentiment + "' is a BertForSequenceClassification (config.json's architectures), not a token"
                + " classifier (BertForTokenClassification): it cannot tag entities",
                assertThrows(IllegalArgumentException.class, () -> new EntityTagger().setModel(sentiment).transform(frame)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new EntityTagger().setAggregationStrategy("longest"));
        // a null label: one line on the driver, not a NullPointerException without a message
        assertEquals("EntityTagger: a null label in ignoreLabels", assertThrows(IllegalArgumentException.class,
                () -> new EntityTagger().setModel(NER).setIgnoreLabels("O", null).transform(frame)).getMessage());
        // a stride the model's window cannot move by (tokenizer_config's model_max_length 512, less [CLS] and [SEP]):
        // refused by transform, on the driver, as transformers refuses it when the pipeline is called, not by every task
        assertEquals("EntityTagger: stride 510 must be less than the window's 510 tokens (the model's 512 less [CLS] and [SEP])",
                assertThrows(IllegalArgumentException.class, () -> new EntityTagger().setModel(NER).setAggregationStrategy("simple")
                        .setStride(510).transform(frame)).getMessage());
        assertEquals(1, new EntityTagger().setModel(NER).setAggregationStrategy("simple").setStride(509).transform(frame).count());
    }

    @Test
    void savesAndLoadsWithItsParams() throws Exception {
        SparkTests.spark();
        Path dir = SparkTests.tempDir("mlm4j-tagger");
        new EntityTagger().setModel(NER).setAggregationStrategy("max").setIgnoreLabels().setStride(32).setOutputCol("ents")
                .write().save(dir.resolve("tagger").toString());
        EntityTagger t = EntityTagger.load(dir.resolve("tagger").toString());
        assertEquals(NER, t.getModel());
        assertEquals("max", t.getAggregationStrategy());
        assertArrayEquals(new String[0], t.getIgnoreLabels());
        assertEquals(32, t.getStride());
        assertEquals("ents", t.getOutputCol());
        assertArrayEquals(new String[] {"O"}, new EntityTagger().getIgnoreLabels());
    }
}
