package dev.mlm4j.langchain4j;

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

/** docs/integrations.md's LangChain4j example, as a user would copy it: compiled against this module and LangChain4j, run, its output compared with the docs'. */
class DocsExampleTest {

    @Test
    void theJavaExampleCompilesRunsAndPrintsWhatTheDocsShow() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "integrations.md"));
        int section = doc.indexOf("\n## LangChain4j\n");
        assertTrue(section >= 0, "docs/integrations.md has a '## LangChain4j' section");
        int end = doc.indexOf("\n## ", section + 1);
        String langchain4j = doc.substring(section, end < 0 ? doc.length() : end);
        Matcher code = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(langchain4j);
        assertTrue(code.find(), "the LangChain4j section has a ```java block");
        Matcher shown = Pattern.compile("```text\n(.*?)```", Pattern.DOTALL).matcher(langchain4j);
        assertTrue(shown.find(), "the LangChain4j section shows the example's output in a ```text block");

        String printed = compileAndRun(code.group(1), "LangChain4jExample");
        assertEquals(shown.group(1).strip(), printed.strip(), "docs/integrations.md shows other output than the example prints");
    }

    /** Compiles {@code source} (class {@code name}) against the test classpath, runs its main, returns what it printed. */
    private static String compileAndRun(String source, String name) throws Exception {
        Path dir = Files.createTempDirectory("docs-example");
        Path src = dir.resolve(name + ".java");
        Files.writeString(src, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        int rc = javac.run(null, diag, diag, "-classpath", System.getProperty("java.class.path"),
                "--add-modules", "jdk.incubator.vector", "-d", dir.toString(), src.toString());
        assertEquals(0, rc, "the example does not compile:\n" + diag);

        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (URLClassLoader cl = new URLClassLoader(new URL[] {dir.toUri().toURL()}, DocsExampleTest.class.getClassLoader())) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            cl.loadClass(name).getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
