package dev.mlm4j.langchain4j;

import org.junit.jupiter.api.Test;

import dev.mlm4j.testsupport.JavaExamples;
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

        String printed = JavaExamples.compileAndRun(code.group(1), "LangChain4jExample", Files.createTempDirectory("docs-example"));
        assertEquals(shown.group(1).strip(), printed.strip(), "docs/integrations.md shows other output than the example prints");
    }
}
