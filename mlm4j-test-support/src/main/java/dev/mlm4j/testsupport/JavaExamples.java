package dev.mlm4j.testsupport;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Java examples of the docs, run as a user would copy them: the source of one ```java block compiled against the
 * test's class path (javac of the running JDK, with the Vector API module) into {@code workDir}, its {@code main} run
 * in this JVM, and what it printed on {@code System.out} returned. Used by each module's DocsExampleTest.
 */
public final class JavaExamples {
    private JavaExamples() {}

    /** Runs {@code main} with {@code System.out} captured in {@code out}; a module whose libraries print elsewhere (Scala's Console) wraps it. */
    @FunctionalInterface
    public interface Capture {
        void run(Runnable main, PrintStream out);
    }

    /** {@link #compileAndRun(String, String, Path, Capture, String...)} capturing {@code System.out} only. */
    public static String compileAndRun(String source, String className, Path workDir, String... args) throws Exception {
        return compileAndRun(source, className, workDir, (main, out) -> main.run(), args);
    }

    /**
     * Compiles {@code source} (public class {@code className}, no package) into {@code workDir}, runs its main with
     * {@code args}, returns what it printed. Fails with javac's messages when it does not compile.
     */
    public static String compileAndRun(String source, String className, Path workDir, Capture capture, String... args) throws Exception {
        Path src = workDir.resolve(className + ".java");
        Files.writeString(src, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-classpath", System.getProperty("java.class.path"),
                "--add-modules", "jdk.incubator.vector", "-d", workDir.toString(), src.toString());
        if (rc != 0) throw new AssertionError("the example " + className + " does not compile:\n" + diagnostics);

        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream printed = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (URLClassLoader cl = new URLClassLoader(new URL[] {workDir.toUri().toURL()}, JavaExamples.class.getClassLoader())) {
            System.setOut(printed);
            var main = cl.loadClass(className).getMethod("main", String[].class);
            capture.run(() -> {
                try {
                    main.invoke(null, (Object) args);
                } catch (InvocationTargetException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }, printed);
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
