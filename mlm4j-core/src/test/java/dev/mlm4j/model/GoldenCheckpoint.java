package dev.mlm4j.model;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;

/**
 * A golden test's fixture folder families/NAME opened as the public path opens it ({@link Checkpoint}: tokenizer,
 * family, config) with its masked LM loaded, once for the test class and closed after it — the setup the family golden
 * tests that run the tokenizer share: {@code @RegisterExtension static final GoldenCheckpoint golden = new GoldenCheckpoint("electra-tiny");}
 * (the tokenizer-less fixtures use {@link FamilyFixture}).
 */
final class GoldenCheckpoint implements BeforeAllCallback, AfterAllCallback {
    final Path folder;
    private Checkpoint checkpoint;
    private MaskedLanguageModel mlm;

    GoldenCheckpoint(String name) {
        this.folder = FamilyGolden.folder(name);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        checkpoint = Checkpoint.open(folder);
        mlm = checkpoint.load(Task.MASKED_LM).orElseThrow();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        checkpoint.close();
    }

    Checkpoint checkpoint() {
        return checkpoint;
    }

    MaskedLanguageModel mlm() {
        return mlm;
    }
}
