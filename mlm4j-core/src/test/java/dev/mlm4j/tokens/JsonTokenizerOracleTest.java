package dev.mlm4j.tokens;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The three fixture tokenizers (RoBERTa BPE, XLM-R and DeBERTa-v3 Unigram) against a second Rust build of Hugging
 * Face's tokenizers — DJL's JNI binding, the oracle of the WordPiece tests — on the 4,863 inputs of
 * {@link TestData#multilingual()} (hand-written sentences in ~60 languages as written, cased, NFD and NFKC, with a
 * mask, nlp-corpus non-ASCII sentences, edge cases): every id, token string, type id, special flag and offset.
 */
class JsonTokenizerOracleTest {

    @Test
    void fixtureTokenizersEqualTheRustOracleOnTheMultilingualSet() throws IOException {
        List<String> inputs = TestData.multilingual();
        assertTrue(inputs.size() > 4000);
        for (String name : List.of("roberta-bpe", "xlmr-unigram", "deberta-unigram")) {
            String json;
            try (InputStream in = JsonTokenizerFixtures.open(name + ".tokenizer.json.gz")) {
                json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Tokenizer ours = JsonTokenizerFixtures.tokenizer(name);
            Parity p = new Parity(name + "/multilingual", true);
            try (HfOracle hf = HfOracle.ofJson(json, 0)) {
                for (String s : inputs) {
                    p.check(s, ours.encode(s, Integer.MAX_VALUE, false), hf.encode(s));
                }
            }
            System.out.println(p.summary());
            assertEquals(0, p.mismatched(), p.failureMessage());
        }
    }

    /** The fixture tokenizer {@code name} with {@code field} replaced by {@code replacement} (JSON). */
    private static String variant(String name, String field, String replacement) throws IOException {
        String json;
        try (InputStream in = JsonTokenizerFixtures.open(name + ".tokenizer.json.gz")) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode) m.readTree(json);
        root.set(field, m.readTree(replacement));
        return root.toString();
    }

    /**
     * The components the three fixtures do not use — NFC/NFD/NFKC/NFKD, Lowercase, Strip, Prepend, Replace with a
     * string, Whitespace, WhitespaceSplit, Split, Metaspace prepend_scheme first / no split — swapped into them and
     * compared with the oracle on the multilingual set (ids, tokens and offsets). Known gap, not tested here:
     * ByteLevel with add_prefix_space=true after another pre-tokenizer and RobertaProcessing trim_offsets gives other
     * offsets than Hugging Face for 43 of these inputs (words starting with a multi-byte character: Hugging Face trims
     * the inserted space in bytes); the RoBERTa configuration (add_prefix_space=false) is exact.
     */
    @Test
    void otherComponentsEqualTheRustOracle() throws IOException {
        String[][] variants = {
                {"roberta-bpe", "normalizer", "{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFKC\"},{\"type\":\"Lowercase\"}]}"},
                {"roberta-bpe", "normalizer", "{\"type\":\"NFD\"}"},
                {"roberta-bpe", "normalizer", "{\"type\":\"NFKD\"}"},
                {"roberta-bpe", "pre_tokenizer", "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Whitespace\"},"
                        + "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":false}]}"},
                {"xlmr-unigram", "normalizer", "{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFC\"},"
                        + "{\"type\":\"Strip\",\"strip_left\":true,\"strip_right\":true},"
                        + "{\"type\":\"Replace\",\"pattern\":{\"String\":\"a\"},\"content\":\"aa\"},"
                        + "{\"type\":\"Prepend\",\"prepend\":\"\u2581\"}]}"},
                {"xlmr-unigram", "pre_tokenizer", "{\"type\":\"Metaspace\",\"replacement\":\"\u2581\",\"prepend_scheme\":\"first\",\"split\":false}"},
                {"xlmr-unigram", "pre_tokenizer", "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Split\","
                        + "\"pattern\":{\"Regex\":\"[,.]\"},\"behavior\":\"MergedWithPrevious\",\"invert\":false},"
                        + "{\"type\":\"Metaspace\",\"replacement\":\"\u2581\",\"prepend_scheme\":\"always\",\"split\":true}]}"},
                {"deberta-unigram", "pre_tokenizer", "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"WhitespaceSplit\"},"
                        + "{\"type\":\"Metaspace\",\"replacement\":\"\u2581\",\"prepend_scheme\":\"always\",\"split\":true}]}"},
        };
        List<String> inputs = TestData.multilingual();
        StringBuilder failures = new StringBuilder();
        for (String[] v : variants) {
            String json = variant(v[0], v[1], v[2]);
            Tokenizer ours = TokenizerJson.load(new java.io.ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), v[2]);
            Parity p = new Parity(v[0] + " with " + v[1] + " " + v[2], true);
            try (HfOracle hf = HfOracle.ofJson(json, 0)) {
                for (String s : inputs) {
                    p.check(s, ours.encode(s, Integer.MAX_VALUE, false), hf.encode(s));
                }
            }
            System.out.println(p.summary());
            if (p.mismatched() > 0) {
                failures.append(p.failureMessage()).append('\n');
            }
        }
        assertEquals("", failures.toString());
    }
}
