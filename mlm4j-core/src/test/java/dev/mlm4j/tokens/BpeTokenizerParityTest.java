package dev.mlm4j.tokens;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * RoBERTa-style byte-level BPE from a tokenizer.json, against Hugging Face's Rust tokenizers on 11,700 inputs
 * (10,000 Brown sentences, multilingual and nlp-corpus sentences, edge cases, pairs, truncation): ids, type ids and
 * offsets all equal. Fixture: {@code tokenizers/roberta-bpe.*} (see that folder's README).
 */
class BpeTokenizerParityTest {

    @Test
    void robertaBytelevelBpeEqualsHuggingFace() {
        List<String> bad = JsonTokenizerFixtures.mismatches("roberta-bpe");
        assertEquals(List.of(), bad, String.join("\n", bad));
    }
}
