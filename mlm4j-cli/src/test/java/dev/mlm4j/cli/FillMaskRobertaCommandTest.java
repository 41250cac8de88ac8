package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ./mlm4j fill-mask --model DIR on RoBERTa and XLM-RoBERTa folders (the committed fixtures
 * mlm4j-core/src/test/resources/families/{roberta,xlm-roberta}-tiny: byte-level BPE and Unigram tokenizer.json with
 * {@code <mask>}): the top-5 of transformers' fill-mask pipeline (their expected.json, from
 * scripts/reference/families/encoders.py), tokens exactly and scores within 1e-4; a text with BERT's {@code [MASK]} is a
 * one-line error naming {@code <mask>}.
 */
class FillMaskRobertaCommandTest {
    private static Path tiny(String family) {
        return Path.of("../mlm4j-core/src/test/resources/families/" + family + "-tiny");
    }

    @ParameterizedTest
    @ValueSource(strings = {"roberta", "xlm-roberta"})
    void fillMaskUsesMaskAndEqualsTransformersPipeline(String family) throws Exception {
        JsonNode expected = new ObjectMapper().readTree(tiny(family).resolve("expected.json").toFile());
        FillMaskCommandTest.fillMaskEqualsTransformers(tiny(family), expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"roberta", "xlm-roberta"})
    void bertsMaskTokenOnARobertaModelIsOneLineNamingMask(String family) throws Exception {
        var r = CliRunner.run("fill-mask", "--model", tiny(family).toString(), "The capital of France is [MASK].");
        FillMaskCommandTest.assertCleanFailure(r,
                "no <mask> token in text 'The capital of France is [MASK].': this model's mask token is <mask>, not [MASK]");
        assertEquals(1, r.err().lines().count(), r.err());
    }

    /** Two masks: the table heads each block with the model's own mask token. */
    @ParameterizedTest
    @ValueSource(strings = {"roberta", "xlm-roberta"})
    void severalMasksAreHeadedByTheModelsMaskToken(String family) throws Exception {
        var r = CliRunner.run("fill-mask", "--model", tiny(family).toString(), "the <mask> said the <mask> was fine");
        assertEquals(0, r.exit(), r.err());
        org.junit.jupiter.api.Assertions.assertTrue(r.out().contains("  <mask> #1\n") && r.out().contains("  <mask> #2\n"), r.out());
        org.junit.jupiter.api.Assertions.assertFalse(r.out().contains("[MASK]"), r.out());
    }
}
