package dev.mlm4j.explorer;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 14, item 6: an output path that is not a regular file is never renamed over. Devices are made with mknod in a
 * temporary folder (as /dev/null and /dev/full: char 1,3 and 1,7), so that a regression run as root cannot replace the
 * machine's own /dev/null.
 */
class OutputsTest {
    @TempDir Path dir;

    static Path device(Path dir, String name, int minor) throws Exception {
        Path p = dir.resolve(name);
        Process mknod = new ProcessBuilder("mknod", p.toString(), "c", "1", Integer.toString(minor)).redirectErrorStream(true).start();
        Assumptions.assumeTrue(mknod.waitFor(10, TimeUnit.SECONDS) && mknod.exitValue() == 0, "mknod needs root (CAP_MKNOD)");
        return p;
    }

    static Path fifo(Path dir, String name) throws Exception {
        Path p = dir.resolve(name);
        Process mkfifo = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true).start();
        Assumptions.assumeTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");
        return p;
    }

    static boolean isOther(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
    }

    private long entries() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void aDeviceIsWrittenThroughNotReplaced() throws Exception {
        Path nul = device(dir, "null", 3);
        Outputs.write(nul, "into the device");
        assertTrue(isOther(nul), "still a device, not a regular file");
        assertEquals(1, entries(), "no temporary file left");

        Path full = device(dir, "full", 7);
        IOException e = assertThrows(IOException.class, () -> Outputs.write(full, new byte[100_000]));
        assertEquals("cannot write " + full + ": No space left on device", e.getMessage());
        assertTrue(isOther(full));
        assertEquals(2, entries());
    }

    @Test
    void aFifoGetsTheBytesAndStaysAFifo() throws Exception {
        Path fifo = fifo(dir, "pipe");
        CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readAllBytes(fifo);
            } catch (IOException x) {
                throw new RuntimeException(x);
            }
        });
        Outputs.write(fifo, "through the pipe");
        assertEquals("through the pipe", new String(reader.get(30, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        assertTrue(isOther(fifo), "still a FIFO");
        assertEquals(1, entries());
    }

    @Test
    void aSymbolicLinkIsFollowedAndStaysALink() throws Exception {
        Path real = Files.writeString(dir.resolve("real.txt"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.txt"), real.getFileName());
        Outputs.write(link, "new");
        assertTrue(Files.isSymbolicLink(link), "the link is not replaced by a file");
        assertEquals("new", Files.readString(real), "the file it points to is written");

        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.txt"), dir.resolve("nowhere.txt"));
        IOException e = assertThrows(IOException.class, () -> Outputs.write(dangling, "x"));
        assertEquals("cannot write " + dangling + ": it is a symbolic link to nothing (" + dir.resolve("nowhere.txt") + ")", e.getMessage());
        assertTrue(Files.isSymbolicLink(dangling));
        assertFalse(Files.exists(dir.resolve("nowhere.txt")));

        Path toFolder = Files.createSymbolicLink(dir.resolve("folder-link"), Files.createDirectory(dir.resolve("folder")));
        e = assertThrows(IOException.class, () -> Outputs.write(toFolder, "x"));
        assertEquals("cannot write " + toFolder + ": it is a folder", e.getMessage());
        assertEquals(5, entries());
    }

    @Test
    void aRegularFileIsStillReplacedWholeOrNotAtAll() throws Exception {
        Path f = Files.writeString(dir.resolve("out.txt"), "old");
        try (Outputs.Destination d = Outputs.open(f)) {
            assertTrue(d.atomic());
            d.stream().write("half".getBytes(StandardCharsets.UTF_8));
            // no commit: an error midway
        }
        assertEquals("old", Files.readString(f), "an abandoned output leaves the old file");
        assertEquals(1, entries(), "and no temporary file");
        Outputs.write(f, "new");
        assertEquals("new", Files.readString(f));
    }
}
