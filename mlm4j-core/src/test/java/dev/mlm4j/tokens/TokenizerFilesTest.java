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

    /**
     * An added_tokens.json beside a vocab.txt: transformers adds its tokens ("<ent>" stays one token, id 30522 after
     * bert-base-uncased's 30,522); mlm4j does not read them, so such a folder is refused in one line naming the file
     * rather than tokenized into "<", "en", "##t", ">". An added_tokens.json whose tokens are all in vocab.txt is fine.
     */
    @Test
    void addedTokensBesideVocabAreRefusedNotIgnored(@TempDir Path dir) throws IOException {
        try (InputStream vocab = TestData.openResource("tokens/" + TestData.UNCASED)) {
            Files.copy(vocab, dir.resolve("vocab.txt"));
        }
        Files.writeString(dir.resolve("added_tokens.json"), "{\"[MASK]\": 103, \"hello\": 7592}");
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {101, 7592, 103, 102},
                TokenizerFiles.huggingFace(dir).load().encode("hello [MASK]").ids());
        Files.writeString(dir.resolve("added_tokens.json"), "{\"<ent>\": 30522}");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TokenizerFiles.huggingFace(dir).load());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("added_tokens.json") && e.getMessage().contains("<ent>")
                && !e.getMessage().contains("\n"), e.getMessage());
    }
}
