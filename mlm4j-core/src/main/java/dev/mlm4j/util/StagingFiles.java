package dev.mlm4j.util;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * New, uniquely named files and folders to write a result into before it is moved into place, created with the
 * permissions any new file gets (the process's umask), not {@link Files#createTempFile}'s owner-only 0600 / 0700: those
 * stay on the result after the move, so a model folder written by one user could not be read by the server running as
 * another.
 */
public final class StagingFiles {
    private StagingFiles() {}

    /** A new empty file {@code dir/prefix<random>suffix}. */
    public static Path newFile(Path dir, String prefix, String suffix) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return Files.createFile(dir.resolve(prefix + random() + suffix));
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) throw e;
            }
        }
    }

    /** A new empty folder {@code dir/prefix<random>}. */
    public static Path newFolder(Path dir, String prefix) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return Files.createDirectory(dir.resolve(prefix + random()));
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) throw e;
            }
        }
    }

    /**
     * Deletes a staging folder (or file) and everything in it, best effort and quietly: called when the work that
     * filled it failed, whose error is the one to report; a leftover is hidden (a dot name) and harmless. A folder that
     * someone writes into meanwhile is left.
     */
    public static void deleteQuietly(Path staging) {
        try (var all = Files.walk(staging)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException | java.io.UncheckedIOException e) {
            // best effort
        }
    }

    private static String random() {
        return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }
}
