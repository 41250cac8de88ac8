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
}
