package dev.mlm4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** mlm4j's one version string is the version in the parent pom.xml, read here from the file itself. */
class VersionTest {

    /** The parent pom's own {@code <version>}: the one right after {@code <artifactId>mlm4j-parent</artifactId>}. */
    static String pomVersion() throws IOException {
        Path pom = Path.of("..", "pom.xml");
        Matcher m = Pattern.compile("<artifactId>mlm4j-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(Files.readString(pom));
        if (!m.find()) throw new AssertionError("no mlm4j-parent version in " + pom.toAbsolutePath());
        return m.group(1).strip();
    }

    @Test
    void isTheParentPomsVersion() throws IOException {
        assertEquals(pomVersion(), Version.get());
    }
}
