package dev.mlm4j.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where a command's output goes: standard output, or a file that appears whole or not at all. The file is written
 * to a hidden temporary sibling and renamed over the target on {@link #commit}; {@link #close} without a commit
 * (an error midway) deletes the temporary file and leaves any old target as it was.
 */
final class OutputFile implements AutoCloseable {
    private final Path target, tmp;
    private final Writer writer;
    private boolean committed;

    private OutputFile(Path target, Path tmp, Writer writer) {
        this.target = target;
        this.tmp = tmp;
        this.writer = writer;
    }

    /** {@code file}, or standard output when null. */
    static OutputFile open(Path file) throws IOException {
        if (file == null) return new OutputFile(null, null, new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)));
        Path target = file.toAbsolutePath();
        if (Files.isDirectory(target)) throw new IllegalArgumentException(file + " is a folder");
        Path parent = target.getParent();
        if (!Files.isDirectory(parent)) throw new IllegalArgumentException("no such folder: " + parent);
        Path tmp = Files.createTempFile(parent, "." + target.getFileName(), ".tmp");
        if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            // temp files are private; the output keeps the permissions of the file it replaces, else rw-r--r--
            Files.setPosixFilePermissions(tmp, Files.exists(target) ? Files.getPosixFilePermissions(target) : PosixFilePermissions.fromString("rw-r--r--"));
        }
        return new OutputFile(target, tmp, Files.newBufferedWriter(tmp, StandardCharsets.UTF_8));
    }

    Writer writer() {
        return writer;
    }

    /** Finishes the output: flushes standard output, or puts the file in place. */
    void commit() throws IOException {
        writer.flush();
        if (tmp != null) {
            writer.close();
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        committed = true;
    }

    @Override
    public void close() {
        if (tmp == null || committed) return;
        try {
            writer.close();
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + tmp + ": " + e.getMessage(), e);
        }
    }
}
