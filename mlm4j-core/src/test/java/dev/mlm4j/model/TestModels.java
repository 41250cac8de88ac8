package dev.mlm4j.model;

import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.tf.TfCheckpoint;

import java.nio.file.Files;
import java.nio.file.Path;

/** Real checkpoints and shared files for tests. */
public final class TestModels {
    private TestModels() {}

    /** A file under ../shared (the project's sibling folder with golden values and corpora). */
    public static Path sharedFile(String relative) {
        Path shared = Path.of(System.getProperty("mlm4j.shared", "../../shared"));
        Path p = shared.resolve(relative);
        if (!Files.exists(p)) p = Path.of("..", "..", "shared", relative);
        if (!Files.exists(p)) throw new IllegalStateException("shared file not found: " + relative + " (set -Dmlm4j.shared)");
        return p;
    }

    public static TensorSource bertBaseUncasedTensors() {
        return TfCheckpoint.open(Path.of(System.getProperty("user.home"), ".cache/mlm4j-test/bert-uncased-L-12-H-768-A-12/variables"));
    }
}
