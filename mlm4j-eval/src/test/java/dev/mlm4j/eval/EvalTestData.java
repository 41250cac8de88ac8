package dev.mlm4j.eval;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The small corpus slices under src/test/resources/eval. */
final class EvalTestData {
    private EvalTestData() {}

    /** Three Brown files (30 sentences each) in each of news (a), learned (j), adventure (n). */
    static Path brownSlice() {
        return resource("eval/brown-slice");
    }

    /** ca01, cj01, cn01 of the slice as a ustar .tgz. */
    static Path brownSliceTgz() {
        return resource("eval/brown-slice.tgz");
    }

    /** Two doc-N.json files of 25 sentences from the nlp-corpus package. */
    static Path jsonSlice() {
        return resource("eval/json-slice");
    }

    /** A file under ../shared (golden values and corpora beside the project), as core's TestModels.sharedFile finds it. */
    static Path sharedFile(String relative) {
        return java.util.stream.Stream.of(System.getProperty("mlm4j.shared", "../../shared"), "../shared", "/work/shared")
                .map(base -> Path.of(base, relative)).filter(Files::exists).findFirst()
                .orElseThrow(() -> new IllegalStateException("shared file not found: " + relative + " (set -Dmlm4j.shared=/path/to/shared)"));
    }

    static Path resource(String name) {
        try {
            var url = EvalTestData.class.getClassLoader().getResource(name);
            if (url == null) throw new IllegalStateException("test resource missing: " + name);
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
