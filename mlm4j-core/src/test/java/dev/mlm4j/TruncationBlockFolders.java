package dev.mlm4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Copies of a family fixture's folder whose tokenizer.json carries a {@code truncation} block and whose
 * tokenizer_config.json a {@code model_max_length}, as families/truncation-block.json
 * (scripts/reference/families/truncation_block.py) gives them: one copy for the NER and the QA tests that read it.
 */
public final class TruncationBlockFolders {
    private TruncationBlockFolders() {
    }

    /** A copy of {@code folder} in {@code tmp} with the fixture's truncation block and model_max_length. */
    public static Path patchedCopy(Path folder, Path tmp, JsonNode fixture) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path dir = Files.createDirectories(tmp.resolve(folder.getFileName()));
        try (var files = Files.list(folder)) {
            for (Path f : files.toList()) Files.copy(f, dir.resolve(f.getFileName()));
        }
        ObjectNode tokenizer = (ObjectNode) json.readTree(dir.resolve("tokenizer.json").toFile());
        tokenizer.set("truncation", fixture.get("truncation"));
        json.writeValue(dir.resolve("tokenizer.json").toFile(), tokenizer);
        ObjectNode config = (ObjectNode) json.readTree(dir.resolve("tokenizer_config.json").toFile());
        config.put("model_max_length", fixture.get("model_max_length").asInt());
        json.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
        return dir;
    }
}
