package dev.mlm4j.weights.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The real ONNX checkpoints the tests read: each ships at the root of a langchain4j embeddings jar
 * (test dependencies, see the pom) and is copied once to {@code ~/.cache/mlm4j-test} (or
 * {@code -Dmlm4j.test.cache}), where it survives {@code mvn clean}.
 */
final class TestModels {
    static final String MINILM = "all-minilm-l6-v2.onnx";
    static final String BGE_SMALL = "bge-small-en-v1.5.onnx";

    private TestModels() {}

    static synchronized Path onnx(String resource) {
        URL url = TestModels.class.getClassLoader().getResource(resource);
        if (url == null) throw new AssertionError(resource + " is not on the test classpath (langchain4j embeddings test dependency)");
        Path dir = Path.of(System.getProperty("mlm4j.test.cache", System.getProperty("user.home") + "/.cache/mlm4j-test"));
        Path target = dir.resolve(resource);
        try {
            long size = url.openConnection().getContentLengthLong();
            if (Files.isRegularFile(target) && Files.size(target) == size) return target;
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, resource, ".part");
            try (InputStream in = url.openStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + resource + " to " + dir, e);
        }
    }
}
