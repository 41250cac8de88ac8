package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ./mlm4j fill-mask --model DIR on a DeBERTa-v3 folder (SentencePiece Unigram tokenizer.json) and a ModernBERT folder
 * (byte-level BPE tokenizer.json), each with its own mask token [MASK] (the committed fixtures
 * mlm4j-core/src/test/resources/families/{deberta-v3,modernbert}-tiny): the top-5 of transformers' fill-mask pipeline
 * (their expected.json, from scripts/reference/families/deberta_v2.py and modernbert.py), tokens exactly and scores
 * within 1e-4.
 */
class FillMaskDebertaModernBertCommandTest {

    @ParameterizedTest
    @ValueSource(strings = {"deberta-v3-tiny", "modernbert-tiny"})
    void fillMaskOnTheFolderEqualsTransformersPipeline(String name) throws Exception {
        Path tiny = Path.of("../mlm4j-core/src/test/resources/families").resolve(name);
        JsonNode expected = new ObjectMapper().readTree(tiny.resolve("expected.json").toFile());
        assertEquals("[MASK]", expected.get("mask_token").asText());
        FillMaskCommandTest.fillMaskEqualsTransformers(tiny, expected);
    }
}
