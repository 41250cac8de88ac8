package dev.mlm4j.weights.tf;

import dev.mlm4j.model.TestModels;

import java.nio.file.Path;

/** The real bert-base-uncased checkpoint's {@code variables/} folder, fetched and unpacked by the hub as users get it. */
final class BertBaseCheckpoint {
    private BertBaseCheckpoint() {}

    static Path variablesDir() {
        return TestModels.folder("bert-base-uncased").resolve("variables");
    }
}
