package dev.mlm4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The one line a user reads for an I/O failure names the path and what is wrong with it, as the JDK's exceptions do not. */
class ErrorsTest {
    @TempDir Path tmp;

    @Test
    void fileErrorsSayWhatIsWrong() throws IOException {
        Path file = Files.writeString(tmp.resolve("afile"), "x");
        IOException inTheWay = assertThrows(IOException.class, () -> Files.createDirectories(file));
        assertEquals("in the way (a file where a folder is needed, or it already exists): " + file, Errors.describe(inTheWay));
        assertEquals("in the way (a file where a folder is needed, or it already exists): " + file,
                Errors.describe(new UncheckedIOException(inTheWay)), "unwrapped");
        IOException notAFolder = assertThrows(IOException.class, () -> Files.newDirectoryStream(file).close());
        assertEquals("not a folder: " + file, Errors.describe(notAFolder));
        IOException missing = assertThrows(IOException.class, () -> Files.readString(tmp.resolve("nope")));
        assertEquals("no such file: " + tmp.resolve("nope"), Errors.describe(missing));
    }

    @Test
    void textThatIsNotUtf8SaysSo() throws IOException {
        Path latin1 = Files.write(tmp.resolve("latin1.txt"), "caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        IOException e = assertThrows(IOException.class, () -> Files.readAllLines(latin1));
        String line = Errors.describe(new UncheckedIOException("cannot read " + latin1 + ": " + e.getMessage(), e));
        assertEquals("cannot read " + latin1 + ": not valid UTF-8 text (save it as UTF-8)", line);
    }
}
