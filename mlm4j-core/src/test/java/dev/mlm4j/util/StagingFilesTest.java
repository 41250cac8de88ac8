package dev.mlm4j.util;

import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What mlm4j writes gets the permissions any new file gets here (the umask's), not the owner-only ones of
 * {@link Files#createTempFile}: weights written by one user stay readable by a server running as another.
 */
class StagingFilesTest {
    @TempDir Path tmp;

    static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void writtenFilesAndFoldersHaveTheUmasksPermissions() throws IOException {
        assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"), "a POSIX file system");
        String plainFile = mode(Files.createFile(tmp.resolve("plain"))), plainFolder = mode(Files.createDirectory(tmp.resolve("plainDir")));
        assumeTrue(!plainFile.equals("rw-------"), "a umask that gives new files more than the owner (else nothing to tell apart)");
        Path weights = tmp.resolve("model.safetensors");
        SafetensorsWriter.write(weights, Map.of("w", FloatTensor.zeros(2, 2)), Map.of());
        assertEquals(plainFile, mode(weights), "model.safetensors");
        assertEquals(plainFolder, mode(StagingFiles.newFolder(tmp, ".staging-")), "a staging folder");
        assertEquals(plainFile, mode(StagingFiles.newFile(tmp, ".x", ".tmp")), "a staging file");
    }
}
