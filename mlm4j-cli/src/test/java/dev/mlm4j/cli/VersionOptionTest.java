package dev.mlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code ./mlm4j --version} names the project's version (the parent pom's), not "dev", and the kernels it runs on. */
class VersionOptionTest {

    @Test
    void versionIsThePomsVersion() throws IOException {
        Matcher m = Pattern.compile("<artifactId>mlm4j-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("..", "pom.xml")));
        if (!m.find()) throw new AssertionError("no mlm4j-parent version in ../pom.xml");
        CliRunner.Result r = CliRunner.run("--version");
        assertEquals(0, r.exit());
        String[] lines = r.out().strip().split("\\R");
        assertEquals("mlm4j " + m.group(1).strip() + " on Java " + Runtime.version(), lines[0]);
        assertEquals(2, lines.length, r.out());
    }

    /** Its second line names the kernels a bug report needs: the Vector API's width on this CPU (or scalar) and the threads. */
    @Test
    void versionNamesTheKernelsAndThreads() {
        CliRunner.Result r = CliRunner.run("--version");
        String kernels = r.out().strip().split("\\R")[1];
        assertEquals("kernels " + dev.mlm4j.Version.kernels(), kernels);
        assertTrue(kernels.matches("kernels (vector\\((128|256|512)-bit\\)|scalar), \\d+ threads"), kernels);
    }
}
