package dev.mlm4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** /info's "version" and /openapi.json's info.version are the project's version (the parent pom's). */
class VersionTest {

    @Test
    void infoAndOpenApiShowThePomsVersion() throws IOException {
        Matcher m = Pattern.compile("<artifactId>mlm4j-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("..", "pom.xml")));
        if (!m.find()) throw new AssertionError("no mlm4j-parent version in ../pom.xml");
        String version = m.group(1).strip();
        assertEquals(version, MlmServer.VERSION);
        assertEquals(version, new ObjectMapper().readTree(MlmServer.resource("openapi.json")).path("info").path("version").asText());
    }
}
