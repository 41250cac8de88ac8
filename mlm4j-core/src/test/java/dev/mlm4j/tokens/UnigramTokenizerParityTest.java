package dev.mlm4j.tokens;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SentencePiece Unigram tokenizers from tokenizer.json files, against Hugging Face's Rust tokenizers on the same
 * 11,700 inputs as {@link BpeTokenizerParityTest}: XLM-R's pipeline (Precompiled nmt_nfkc charsmap, WhitespaceSplit +
 * Metaspace, {@code <s> $A </s> </s> $B </s>}) and DeBERTa-v3's (Strip + Precompiled + Replace, Metaspace,
 * {@code [CLS] $A [SEP] $B [SEP]}, byte_fallback). Fixtures: {@code tokenizers/xlmr-unigram.*},
 * {@code tokenizers/deberta-unigram.*}.
 */
class UnigramTokenizerParityTest {

    @Test
    void xlmRobertaUnigramEqualsHuggingFace() {
        List<String> bad = JsonTokenizerFixtures.mismatches("xlmr-unigram");
        assertEquals(List.of(), bad, String.join("\n", bad));
    }

    /**
     * All equal, except that for 49 of the 300 truncated pairs (odd room left after [CLS] [SEP] [SEP], both texts
     * longer than half of it) tokenizers 0.23.2 gives the odd token to the other text than the documented
     * LongestFirst rule mlm4j follows (and the Rust version behind the WordPiece oracle agrees with); those are
     * checked to be the same tokens cut at a different place. The cause: since 0.23 tokenizers stops tokenizing each
     * text at the word that reaches max_length ("early exit for truncation", huggingface/tokenizers#1990), so
     * truncation.rs compares those cut lengths instead of the texts' (equal or reversed when both are long). Following
     * it would break parity with every earlier version (564 of the WordPiece oracle's truncated pairs); the pairs
     * differ only in which text keeps one more token.
     */
    @Test
    void debertaV3UnigramEqualsHuggingFace() {
        List<String> bad = JsonTokenizerFixtures.mismatches("deberta-unigram");
        assertEquals(List.of(), bad, String.join("\n", bad));
        assertTrue(JsonTokenizerFixtures.splitDifferences <= 49, JsonTokenizerFixtures.splitDifferences + " splits");
    }
}
