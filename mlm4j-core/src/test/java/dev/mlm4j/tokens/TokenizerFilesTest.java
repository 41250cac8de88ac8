package dev.mlm4j.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.mlm4j.JsonArrays.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * A Hugging Face folder with only vocab.txt and tokenizer_config.json tokenizes as transformers' BERT tokenizer reads
 * that config: do_lower_case, strip_accents (false keeps accents while lower-casing) and tokenize_chinese_chars
 * (tokens/vocab-tokenizer-config.json, from scripts/reference/tokens/vocab_tokenizer_config.py, transformers 5.18.0).
 */
class TokenizerFilesTest {

    @Test
    void vocabFolderFollowsTokenizerConfig(@TempDir Path dir) throws IOException {
        JsonNode fixture;
        try (InputStream in = TestData.openResource("tokens/vocab-tokenizer-config.json")) {
            fixture = new ObjectMapper().readTree(in);
        }
        try (InputStream vocab = TestData.openResource("tokens/" + fixture.get("vocab").asText())) {
            Files.copy(vocab, dir.resolve("vocab.txt"));
        }
        for (JsonNode c : fixture.get("cases")) {
            Files.writeString(dir.resolve("tokenizer_config.json"), c.get("config").toString());
            Tokenizer t = TokenizerFiles.huggingFace(dir).load();
            for (int i = 0; i < c.get("texts").size(); i++) {
                String text = c.get("texts").get(i).asText();
                assertArrayEquals(ints(c.get("ids").get(i)), t.encode(text).ids(), c.get("config") + " " + text);
            }
        }
    }
}
