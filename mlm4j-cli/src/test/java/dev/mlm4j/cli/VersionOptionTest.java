package dev.mlm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code ./mlm4j --version} names the project's version (the parent pom's), not "dev". */
class VersionOptionTest {

    @Test
    void versionIsThePomsVersion() throws IOException {
        Matcher m = Pattern.compile("<artifactId>mlm4j-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("..", "pom.xml")));
        if (!m.find()) throw new AssertionError("no mlm4j-parent version in ../pom.xml");
        CliRunner.Result r = CliRunner.run("--version");
        assertEquals(0, r.exit());
        assertEquals("mlm4j " + m.group(1).strip() + " on Java " + Runtime.version(), r.out().strip());
    }
}
