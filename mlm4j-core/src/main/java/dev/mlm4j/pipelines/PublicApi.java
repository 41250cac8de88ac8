package dev.mlm4j.pipelines;

import java.util.List;
import java.util.stream.Stream;

/**
 * The core's public API: the only packages of mlm4j-core that the front ends (mlm4j-cli, mlm4j-server, mlm4j-spark, mlm4j-langchain4j, mlm4j-spring-ai)
 * and applications import. Everything else — tensors, kernels, weights and their formats, layers, the model tree,
 * the converter — is reached through {@link Models}. Each front end's {@code FrontEndArchitectureTest} checks its
 * imports against this list (docs/ARCHITECTURE.md).
 */
public final class PublicApi {
    private PublicApi() {}

    /**
     * {@code pipelines}: {@link Models} and every task's pipeline; {@code config}: config records and
     * {@code Precision}; {@code tokens}: tokenizers and encodings; {@code hub}: the model catalogue;
     * {@code explorer}: the attention explorer, its options and results; {@code util}: progress. (The evaluations,
     * {@code dev.mlm4j.eval}, are their own module, mlm4j-eval, which the CLI uses.)
     */
    public static final List<String> PACKAGES = List.of("dev.mlm4j.pipelines", "dev.mlm4j.config", "dev.mlm4j.tokens",
            "dev.mlm4j.hub", "dev.mlm4j.explorer", "dev.mlm4j.util");

    /**
     * ArchUnit package patterns of the public API ({@code "dev.mlm4j.pipelines.."}), of {@code frontEnds} (whole package
     * names) and of {@code dev.mlm4j} itself, whose only class is {@code Version}.
     */
    public static String[] patternsWith(String... frontEnds) {
        return Stream.concat(Stream.of("dev.mlm4j"), Stream.concat(PACKAGES.stream(), Stream.of(frontEnds)).map(p -> p + ".."))
                .toArray(String[]::new);
    }
}
