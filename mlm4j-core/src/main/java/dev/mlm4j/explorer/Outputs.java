package dev.mlm4j.explorer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes an output file all at once or not at all: the bytes go to a temporary file beside the target,
 * which is then moved over it. A failure leaves no half-written file and no temporary file behind.
 */
public final class Outputs {
    private Outputs() {}

    /** Fails with a one-line message unless {@code target} could be written (its folder exists and is writable, it is not a folder). */
    public static void checkWritable(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (Files.isDirectory(abs)) throw new IOException("cannot write " + target + ": it is a folder");
        if (dir == null || !Files.isDirectory(dir)) throw new IOException("cannot write " + target + ": folder " + dir + " does not exist");
        if (!Files.isWritable(dir)) throw new IOException("cannot write " + target + ": folder " + dir + " is not writable");
        if (Files.exists(abs) && !Files.isWritable(abs)) throw new IOException("cannot write " + target + ": the file is not writable");
    }

    public static void write(Path target, byte[] bytes) throws IOException {
        checkWritable(target);
        Path abs = target.toAbsolutePath();
        Path tmp;
        try {
            tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".part");
        } catch (AccessDeniedException | NoSuchFileException e) {
            throw new IOException("cannot write " + target + ": " + e.getMessage(), e);
        }
        try {
            Files.write(tmp, bytes);
            keepOrDefaultPermissions(tmp, abs);
            try {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** A temporary file is private (rw-------); the result gets the replaced file's permissions, else rw-r--r--. */
    private static void keepOrDefaultPermissions(Path tmp, Path target) throws IOException {
        if (!Files.getFileStore(tmp).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) return;
        Files.setPosixFilePermissions(tmp, Files.exists(target) ? Files.getPosixFilePermissions(target)
                : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    }

    public static void write(Path target, String text) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }
}
