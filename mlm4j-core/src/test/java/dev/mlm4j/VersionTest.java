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

    /** The kernels line names the species this JVM chose (under -XX:UseAVX=2, 256-bit) and the threads. */
    @Test
    void kernelsNameTheVectorWidthAndThreads() {
        String k = Version.kernels();
        org.junit.jupiter.api.Assertions.assertTrue(k.matches("(vector\\((128|256|512)-bit\\)|scalar), [1-9]\\d* threads"), k);
        if (k.startsWith("vector")) {
            assertEquals("vector(" + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit)", k.substring(0, k.indexOf(',')));
        }
    }
}
