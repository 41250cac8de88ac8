package dev.mlm4j.pipelines;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Java example in the class comments of this package ({@code <pre>} blocks) compiles as a user would write it
 * inside the class's package: with the package, the class's nested types and java.util imported, and the two
 * placeholders the examples leave open ({@code texts}, {@code passages}) declared. Compiled only, never run.
 */
class JavadocExamplesTest {
    private static final Pattern PRE = Pattern.compile("<pre>(.*?)</pre>", Pattern.DOTALL);

    @Test
    void everyClassCommentExampleCompiles(@TempDir Path tmp) throws IOException {
        Path sources = Path.of("src/main/java/dev/mlm4j/pipelines");
        List<Path> files;
        try (Stream<Path> s = Files.list(sources)) {
            files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> failures = new ArrayList<>();
        int examples = 0;
        for (Path file : files) {
            String name = file.getFileName().toString().replace(".java", "");
            Matcher m = PRE.matcher(Files.readString(file));
            for (int n = 0; m.find(); n++) {
                String code = m.group(1).replaceAll("(?m)^\\s*\\*", "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
                if (!code.contains("Models.")) continue;     // a formula or a table, not an example
                examples++;
                String cls = "Example" + name + n;
                Path src = Files.writeString(tmp.resolve(cls + ".java"), "import dev.mlm4j.pipelines.*;\nimport dev.mlm4j.pipelines." + name + ".*;\n"
                        + "import java.util.*;\nclass " + cls + " {\n  void run() {\n    List<String> texts = List.of(), passages = List.of();\n"
                        + code + "\n  }\n}\n");
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                int rc = javac.run(null, null, err, "-proc:none", "-d", tmp.toString(), "-cp", System.getProperty("java.class.path"), src.toString());
                if (rc != 0) failures.add(name + ":\n" + code + "\n" + err);
            }
        }
        assertTrue(examples >= 8, examples + " examples");
        assertEquals(List.of(), failures);
    }
}
