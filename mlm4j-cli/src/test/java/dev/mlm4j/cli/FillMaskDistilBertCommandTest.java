package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ./mlm4j fill-mask --model DIR on a DistilBERT folder (the committed fixture mlm4j-core/src/test/resources/families/
 * distilbert-tiny): the top-5 of transformers' fill-mask pipeline (its expected.json, from
 * scripts/reference/families/distilbert.py), tokens exactly and scores within 1e-4; an unsupported option is one line.
 */
class FillMaskDistilBertCommandTest {
    private static final Path TINY = Path.of("../mlm4j-core/src/test/resources/families/distilbert-tiny");

    @Test
    void fillMaskOnADistilBertFolderEqualsTransformersPipeline() throws Exception {
        JsonNode expected = new ObjectMapper().readTree(TINY.resolve("expected.json").toFile());
        FillMaskCommandTest.fillMaskEqualsTransformers(TINY, expected);
    }

    @Test
    void sinusoidalPositionEmbeddingsAreOneCleanLine(@TempDir Path tmp) throws Exception {
        for (String f : new String[] {"model.safetensors", "tokenizer.json", "tokenizer_config.json"}) Files.copy(TINY.resolve(f), tmp.resolve(f));
        Files.writeString(tmp.resolve("config.json"), Files.readString(TINY.resolve("config.json"))
                .replace("\"sinusoidal_pos_embds\": false", "\"sinusoidal_pos_embds\": true"));
        var r = CliRunner.run("fill-mask", "--model", tmp.toString(), "the movie was [MASK].");
        FillMaskCommandTest.assertCleanFailure(r, "\"sinusoidal_pos_embds\": true is not supported (mlm4j implements learned position embeddings, false)");
        assertEquals(1, r.err().lines().count(), r.err());
    }
}
