package dev.mlm4j.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI jar carries no Spark: spark-embed says how to run it instead of failing obscurely. */
class SparkEmbedCommandTest {

    @Test
    void withoutSparkOnTheClasspathItSaysHowToRunIt() {
        CliRunner.Result r = CliRunner.run("spark-embed", "--input", "corpus/", "--output", "out.parquet");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("spark-embed needs Spark and mlm4j-spark on the classpath") && r.err().contains("./mlm4j spark-embed"), r.err());
    }

    @Test
    void listedInTheHelp() {
        CliRunner.Result r = CliRunner.run("--help");
        assertTrue(r.out().contains("spark-embed"), r.out());
    }
}
