package dev.mlm4j.spark;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The stages save and load as Spark ML stages do (DefaultParamsWritable / read()), alone and inside a Pipeline. */
class PersistenceTest {

    @Test
    void stagesRoundTripWithTheirParams() throws Exception {
        SparkTests.spark();   // writers and readers use the active session
        Path dir = SparkTests.tempDir("mlm4j-stages");
        Embedder e = new Embedder().setModel("bge-small-en-v1.5").setPooling("mean").setNormalize(false).setBatchSize(7)
                .setOutputType("vector").setInputCol("body");
        e.write().overwrite().save(dir.resolve("embedder").toString());
        Embedder e2 = Embedder.load(dir.resolve("embedder").toString());
        assertEquals(e.uid(), e2.uid());
        assertEquals("bge-small-en-v1.5", e2.getModel());
        assertEquals("mean", e2.getPooling());
        assertFalse(e2.getNormalize());
        assertEquals(7, e2.getBatchSize());
        assertEquals("vector", e2.getOutputType());
        assertEquals("body", e2.getInputCol());
        assertNull(new Embedder().getPooling());    // unset stays unset: the model's own

        MaskFiller m = new MaskFiller().setTopK(3).setTargets("cat", "dog").setCausal(true);
        m.write().save(dir.resolve("filler").toString());
        MaskFiller m2 = MaskFiller.load(dir.resolve("filler").toString());
        assertEquals(3, m2.getTopK());
        assertArrayEquals(new String[] {"cat", "dog"}, m2.getTargets());

        AttentionGraphs a = new AttentionGraphs().setLayers(1, 2).setHeads(-1).setMinWeight(0.1).setIdCol("doc");
        a.write().save(dir.resolve("graphs").toString());
        AttentionGraphs a2 = AttentionGraphs.load(dir.resolve("graphs").toString());
        assertArrayEquals(new int[] {1, 2}, a2.getLayers());
        assertArrayEquals(new int[] {-1}, a2.getHeads());
        assertEquals("doc", a2.getIdCol());
    }

    @Test
    void aPipelineOfMlm4jStagesSavesLoadsAndRuns() throws Exception {
        Pipeline p = new Pipeline().setStages(new PipelineStage[] {
                new Tokenizer().setReasonCol("token_reason"),
                new Embedder().setReasonCol("embedding_reason")});
        var frame = SparkTests.frame(List.of("A man is playing a guitar."), 1);
        PipelineModel fitted = p.fit(frame);
        Path dir = SparkTests.tempDir("mlm4j-pipeline");
        fitted.write().overwrite().save(dir.toString());
        PipelineModel loaded = PipelineModel.load(dir.toString());
        assertInstanceOf(Tokenizer.class, loaded.stages()[0]);
        Row r = loaded.transform(frame).first();
        assertEquals("struct<id:bigint,text:string,tokens:struct<ids:array<int>,tokens:array<string>,offsets:array<struct<start:int,end:int>>,"
                + "special:array<boolean>,truncated:boolean>,token_reason:string,embedding:array<float>,embedding_reason:string>",
                r.schema().simpleString());
        assertEquals(384, r.getList(4).size());
    }
}
