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

/** docs/spark.md's Java example, as a user would copy it: compiled against mlm4j-spark and Spark, and run (on the shared session). */
class DocsExampleTest {

    @Test
    void theJavaExampleCompilesRunsAndPrintsWhatTheDocsShow() throws Exception {
        SparkTests.spark();   // the example's getOrCreate() finds this session
        String doc = Files.readString(Path.of("..", "docs", "spark.md"));
        Matcher code = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertTrue(code.find(), "docs/spark.md has a ```java block");
        Matcher shown = Pattern.compile("```text\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertTrue(shown.find(), "docs/spark.md shows the example's output in a ```text block");

        Path dir = SparkTests.tempDir("docs-example");
        Path src = dir.resolve("SparkExample.java");
        Files.writeString(src, code.group(1));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        int rc = javac.run(null, diag, diag, "-classpath", System.getProperty("java.class.path"),
                "--add-modules", "jdk.incubator.vector", "-d", dir.toString(), src.toString());
        assertEquals(0, rc, "the example does not compile:\n" + diag);

        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (URLClassLoader cl = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            cl.loadClass("SparkExample").getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(old);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(shown.group(1).strip(), printed.strip(), "docs/spark.md shows other output than the example prints");
    }
}
