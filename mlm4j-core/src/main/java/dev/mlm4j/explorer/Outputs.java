package dev.mlm4j.explorer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Writes an output file, all at once or not at all where a file system can promise that, and never replacing what is
 * not a regular file:
 * <ul>
 *   <li>a regular file, or nothing yet: the bytes go to a temporary file beside it, moved over it on
 *       {@link Destination#commit}; a failure leaves the old file as it was and no temporary file behind;</li>
 *   <li>a symbolic link is followed (the link stays a link): the file it points to is written as above, or through
 *       as below; a link to nothing is refused;</li>
 *   <li>a device, a FIFO or another special file ({@code /dev/null}, {@code /dev/stdout}, a named pipe) is written
 *       through, since renaming over it would replace the device with a regular file;</li>
 *   <li>a folder is refused.</li>
 * </ul>
 */
public final class Outputs {
    private Outputs() {}

    /** Fails with a one-line message unless {@code target} could be written (its folder exists and is writable, it is not a folder). */
    public static void checkWritable(Path target) throws IOException {
        Path real = destination(target);
        if (Files.exists(real) && !Files.isRegularFile(real)) {
            if (!Files.isWritable(real)) throw new IOException("cannot write " + target + ": permission denied");
            return;
        }
        Path dir = real.getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new IOException("cannot write " + target + ": folder " + dir + " does not exist");
        if (!Files.isWritable(dir)) throw new IOException("cannot write " + target + ": folder " + dir + " is not writable");
        if (Files.exists(real) && !Files.isWritable(real)) throw new IOException("cannot write " + target + ": the file is not writable");
    }

    /** The path the bytes really go to: {@code target}, or the file its symbolic links lead to; refuses a folder or a dangling link. */
    private static Path destination(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path real = abs;
        if (Files.isSymbolicLink(abs)) {
            if (!Files.exists(abs)) throw new IOException("cannot write " + target + ": it is a symbolic link to nothing ("
                    + Files.readSymbolicLink(abs) + ")");
            real = abs.toRealPath();
        }
        if (Files.isDirectory(real)) throw new IOException("cannot write " + target + ": it is a folder");
        return real;
    }

    /** An output being written: {@link #stream}, then {@link #commit}; {@link #close} without a commit abandons it. */
    public static final class Destination implements AutoCloseable {
        private final Path target, real, tmp;
        private final OutputStream stream;
        private boolean done;

        private Destination(Path target, Path real, Path tmp, OutputStream stream) {
            this.target = target;
            this.real = real;
            this.tmp = tmp;
            this.stream = new java.io.FilterOutputStream(stream) {     // a failed write names the file
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    try {
                        out.write(b, off, len);
                    } catch (IOException e) {
                        throw named(e);
                    }
                }

                @Override
                public void write(int b) throws IOException {
                    try {
                        out.write(b);
                    } catch (IOException e) {
                        throw named(e);
                    }
                }

                @Override
                public void flush() throws IOException {
                    try {
                        out.flush();
                    } catch (IOException e) {
                        throw named(e);
                    }
                }
            };
        }

        private IOException named(IOException e) {
            String m = e.getMessage();
            return m != null && m.startsWith("cannot write ") ? e : new IOException("cannot write " + target + ": " + message(e), e);
        }

        public OutputStream stream() {
            return stream;
        }

        /** Whether the output goes to a temporary file put in place on commit (false: written through to a special file). */
        public boolean atomic() {
            return tmp != null;
        }

        /** Finishes the output: the temporary file is closed and moved over the target, or the special file flushed and closed. */
        public void commit() throws IOException {
            try {
                stream.close();
                if (tmp != null) {
                    keepOrDefaultPermissions(tmp, real);
                    try {
                        Files.move(tmp, real, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(tmp, real, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                done = true;
            } catch (IOException e) {
                throw named(e);
            }
        }

        /** Abandons an output that was not committed: deletes the temporary file (a special file keeps what it got). */
        @Override
        public void close() {
            if (done) return;
            done = true;
            try {
                stream.close();
            } catch (IOException ignored) {
                // abandoning it anyway
            }
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot remove " + tmp + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** Starts writing {@code target} as the class comment says. */
    public static Destination open(Path target) throws IOException {
        Path real = destination(target);
        BasicFileAttributes a = Files.exists(real, LinkOption.NOFOLLOW_LINKS)
                ? Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS) : null;
        if (a != null && !a.isRegularFile()) {      // a device, a FIFO: write through, never rename over it
            try {
                return new Destination(target, real, null, Files.newOutputStream(real, StandardOpenOption.WRITE));
            } catch (IOException e) {
                throw new IOException("cannot write " + target + ": " + message(e), e);
            }
        }
        checkWritable(target);
        Path tmp;
        try {
            tmp = dev.mlm4j.util.StagingFiles.newFile(real.getParent(), "." + real.getFileName() + ".", ".part");
        } catch (AccessDeniedException | NoSuchFileException e) {
            throw new IOException("cannot write " + target + ": " + message(e), e);
        }
        try {
            return new Destination(target, real, tmp, Files.newOutputStream(tmp));
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot write " + target + ": " + message(e), e);
        }
    }

    public static void write(Path target, byte[] bytes) throws IOException {
        try (Destination d = open(target)) {
            d.stream().write(bytes);
            d.commit();
        }
    }

    private static String message(IOException e) {
        return e instanceof AccessDeniedException ? "permission denied" : e.getMessage();
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
