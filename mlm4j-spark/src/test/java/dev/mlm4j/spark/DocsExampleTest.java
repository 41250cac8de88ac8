package dev.mlm4j.spark;

import org.junit.jupiter.api.Test;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
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

    /** Compiles {@code source} (class {@code name}) against the test classpath, runs its main with {@code args}, returns what it printed. */
    private static String compileAndRun(String source, String name, String... args) throws Exception {
        Path dir = SparkTests.tempDir("docs-example");
        Path src = dir.resolve(name + ".java");
        Files.writeString(src, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        int rc = javac.run(null, diag, diag, "-classpath", System.getProperty("java.class.path"),
                "--add-modules", "jdk.incubator.vector", "-d", dir.toString(), src.toString());
        assertEquals(0, rc, "the example does not compile:\n" + diag);

        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (URLClassLoader cl = new URLClassLoader(new URL[] {dir.toUri().toURL()}, DocsExampleTest.class.getClassLoader())) {
            System.setOut(capture);
            // Dataset.show prints through Scala's Console, which keeps the System.out it first saw: give it ours too
            scala.Console$.MODULE$.withOut(capture, new scala.runtime.AbstractFunction0<Object>() {
                @Override
                public Object apply() {
                    try {
                        return cl.loadClass(name).getMethod("main", String[].class).invoke(null, (Object) args);
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
