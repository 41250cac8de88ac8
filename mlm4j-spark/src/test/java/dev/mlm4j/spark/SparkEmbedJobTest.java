package dev.mlm4j.spark;

import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.Models;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SparkEmbedJobTest {

    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();

    private SparkEmbedJob.Summary run(String... args) {
        SparkEmbedJob job = new SparkEmbedJob(new PrintStream(logged, true, StandardCharsets.UTF_8));
        new CommandLine(job).parseArgs(args);
        job.checkBeforeSpark();
        return job.embed(SparkTests.spark());
    }

    @Test
    void aTextFileBecomesParquetWithLineNumbersAndTheJavaApisVectors() throws Exception {
        Path dir = SparkTests.tempDir("spark-embed");
        List<String> lines = new ArrayList<>(SparkTests.brown().subList(0, 60));
        lines.set(17, "");
        Files.write(dir.resolve("corpus.txt"), lines);
        Path out = dir.resolve("out.parquet");
        SparkEmbedJob.Summary s = run("--input", dir.resolve("corpus.txt").toString(), "--output", out.toString(), "--partitions", "3", "--keep-text");
        assertEquals(60, s.rows());
        assertEquals(1, s.skipped());
        List<Row> rows = SparkTests.spark().read().parquet(out.toString()).orderBy("id").collectAsList();
        assertEquals("struct<id:bigint,file:string,text:string,embedding:array<float>,reason:string>", rows.getFirst().schema().simpleString());
        FeatureExtraction fe = Models.embeddings("all-MiniLM-L6-v2");
        for (int i = 0; i < 60; i++) {
            Row r = rows.get(i);
            assertEquals(i, r.getLong(0));
            assertEquals(lines.get(i), r.getString(2), "line " + i);
            assertTrue(r.getString(1).endsWith("corpus.txt"));
            if (i == 17) {
                assertNull(r.get(3));
                assertEquals("text is empty", r.getString(4));
            } else {
                EmbedderTest.assertClose(fe.embed(lines.get(i)), EmbedderTest.floats(r, 3), 1e-6, "line " + i);
                assertNull(r.get(4));
            }
        }
        String log = logged.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("60 documents from"), log);
        assertTrue(log.contains("60 / 60 rows (100%)"), log);
    }

    @Test
    void aFolderOfFilesAndWholeFiles() throws Exception {
        Path dir = SparkTests.tempDir("spark-embed-folder");
        Files.createDirectories(dir.resolve("in"));
        Files.write(dir.resolve("in/a.txt"), SparkTests.brown().subList(0, 10));
        Files.write(dir.resolve("in/b.txt"), SparkTests.brown().subList(10, 15));
        run("--input", dir.resolve("in").toString(), "--output", dir.resolve("lines").toString(), "--vector");
        var lines = SparkTests.spark().read().parquet(dir.resolve("lines").toString());
        assertEquals(15, lines.count());
        assertEquals(15, lines.select("id").distinct().count());
        assertEquals("vector", lines.schema().apply("embedding").dataType().simpleString());

        run("--input", dir.resolve("in").toString(), "--output", dir.resolve("files").toString(), "--whole-files", "--truncate");
        assertEquals(2, SparkTests.spark().read().parquet(dir.resolve("files").toString()).filter("reason IS NULL").count());
    }

    @Test
    void parquetInputWithItsOwnIdAndTextColumns() {
        Path dir = SparkTests.tempDir("spark-embed-parquet");
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 12; i++) rows.add(RowFactory.create("doc-" + i, SparkTests.brown().get(100 + i), i));
        StructType schema = new StructType().add("doc", DataTypes.StringType).add("body", DataTypes.StringType).add("n", DataTypes.IntegerType);
        SparkTests.spark().createDataFrame(rows, schema).write().parquet(dir.resolve("in.parquet").toString());
        run("--input", dir.resolve("in.parquet").toString(), "--output", dir.resolve("out").toString(),
                "--text-column", "body", "--id-column", "doc", "--pooling", "cls", "--no-normalize");
        List<Row> out = SparkTests.spark().read().parquet(dir.resolve("out").toString()).orderBy("id").collectAsList();
        assertEquals("struct<id:string,embedding:array<float>,reason:string>", out.getFirst().schema().simpleString());
        FeatureExtraction fe = Models.embeddings("all-MiniLM-L6-v2");
        Row first = out.stream().filter(r -> r.getString(0).equals("doc-3")).findFirst().orElseThrow();
        float[] want = fe.extract(List.of(SparkTests.brown().get(103)),
                FeatureExtraction.Options.DEFAULT.withPooling(dev.mlm4j.pipelines.Pooling.CLS).withNormalize(false)).getFirst().vector();
        EmbedderTest.assertClose(want, EmbedderTest.floats(first, 1), 1e-6, "doc-3");
    }

    @Test
    void mistakesFailBeforeSparkStarts() throws Exception {
        Path dir = SparkTests.tempDir("spark-embed-bad");
        Files.writeString(dir.resolve("in.txt"), "x\n");
        Files.createDirectories(dir.resolve("taken"));
        String in = dir.resolve("in.txt").toString();
        assertEquals("no such input: " + dir.resolve("nope.txt"),
                assertThrows(IllegalArgumentException.class, () -> run("--input", dir.resolve("nope.txt").toString(), "--output", dir.resolve("o").toString())).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> run("--input", in, "--output", dir.resolve("taken").toString()))
                .getMessage().endsWith("exists; add --overwrite to replace it"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> run("--input", in, "--output", dir.resolve("o").toString(), "--model", "/no/model"))
                .getMessage().contains("no such model '/no/model'"));
        // a negative count was taken as 0 (the default) without a word
        assertEquals("--partitions must be 0 (the default: 4 × the cores) or more, got -3", assertThrows(IllegalArgumentException.class,
                () -> run("--input", in, "--output", dir.resolve("o").toString(), "--partitions", "-3")).getMessage());
        assertEquals(2, SparkEmbedJob.run("--input", in));                        // --output missing: usage
        assertEquals(1, SparkEmbedJob.run("--input", in, "--output", dir.resolve("taken").toString()));
        SparkTests.frame(List.of("a"), 1).withColumnRenamed("text", "body").write().parquet(dir.resolve("p.parquet").toString());
        var e = assertThrows(IllegalArgumentException.class, () -> run("--input", dir.resolve("p.parquet").toString(), "--output", dir.resolve("o2").toString()));
        assertEquals("no column 'text' in " + dir.resolve("p.parquet") + " (columns: id, body); use --text-column", e.getMessage());
    }
}
