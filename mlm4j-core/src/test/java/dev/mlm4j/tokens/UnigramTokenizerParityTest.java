package dev.mlm4j.tokens;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

    @Test
    void debertaV3UnigramEqualsHuggingFace() {
        List<String> bad = JsonTokenizerFixtures.mismatches("deberta-unigram");
        assertEquals(List.of(), bad, String.join("\n", bad));
    }
}
