package dev.mlm4j.spark;

import org.junit.jupiter.api.Test;

import dev.mlm4j.testsupport.JavaExamples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/spark.md's Java examples, as a user would copy them: compiled against mlm4j-spark and Spark, and run (on the shared session). */
class DocsExampleTest {

    @Test
    void theJavaExampleCompilesRunsAndPrintsWhatTheDocsShow() throws Exception {
        SparkTests.spark();   // the example's getOrCreate() finds this session
        String doc = Files.readString(Path.of("..", "docs", "spark.md"));
        Matcher code = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertTrue(code.find(), "docs/spark.md has a ```java block");
        Matcher shown = Pattern.compile("```text\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertTrue(shown.find(), "docs/spark.md shows the example's output in a ```text block");

        String printed = compileAndRun(code.group(1), "SparkExample");
        assertEquals(shown.group(1).strip(), printed.strip(), "docs/spark.md shows other output than the example prints");
    }

    /** The classification and NER example, run on the tiny task checkpoints (random weights: its output is not shown in the docs). */
    @Test
    void theTaskExampleCompilesAndRunsOnTheTinyCheckpoints() throws Exception {
        SparkTests.spark();
        String doc = Files.readString(Path.of("..", "docs", "spark.md"));
        Matcher code = Pattern.compile("```java\n([^`]*?class SparkTaskExample.*?)```", Pattern.DOTALL).matcher(doc);
        assertTrue(code.find(), "docs/spark.md has the SparkTaskExample ```java block");
        String printed = compileAndRun(code.group(1), "SparkTaskExample",
                TinyTasks.tiny("sentiment").toString(), TinyTasks.tiny("ner").toString());
        for (String column : new String[] {"|label", "|classification", "|entity_group|word", "text is null"}) {
            assertTrue(printed.contains(column), column + " is not in what the example printed:\n" + printed);
        }
    }

    /** {@link JavaExamples#compileAndRun} on the shared session: Dataset.show prints through Scala's Console, which keeps the System.out it first saw, so it gets the capture too. */
    private static String compileAndRun(String source, String name, String... args) throws Exception {
        return JavaExamples.compileAndRun(source, name, SparkTests.tempDir("docs-example"), (main, out) ->
                scala.Console$.MODULE$.withOut(out, new scala.runtime.AbstractFunction0<Object>() {
                    @Override
                    public Object apply() {
                        main.run();
                        return null;
                    }
                }), args);
    }
}
