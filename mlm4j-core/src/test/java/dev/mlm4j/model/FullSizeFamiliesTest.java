package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

/**
 * RoBERTa and ELECTRA at full size (hidden 768, 12 layers, 12 heads; RoBERTa's 514-row position table, a 500-token
 * sequence; ELECTRA's 128-wide embeddings projected to 768) against transformers: the checkpoints (about 350 MB each)
 * are generated, not committed, by scripts/reference/families/full_size.py into a directory this test reads when run
 * with {@code -Dmlm4j.fullSizeFixtures=DIR} (skipped otherwise). The same comparisons as the tiny fixtures: last
 * hidden state within 1e-4, attention probabilities within 1e-5, MLM top-5 equal with logits within 1e-4, one by one
 * and as a padded batch.
 */
@EnabledIfSystemProperty(named = "mlm4j.fullSizeFixtures", matches = ".+")
class FullSizeFamiliesTest {

    @ParameterizedTest
    @ValueSource(strings = {"roberta", "electra"})
    void fullSizeEncodersMatchTransformers(String family) {
        Path folder = Path.of(System.getProperty("mlm4j.fullSizeFixtures")).resolve(family);
        JsonNode expected = FamilyGolden.readJson(folder.resolve("expected.json"));
        try (FamilyGolden g = FamilyGolden.open(folder)) {
            MaskedLanguageModel mlm = g.load(Task.MASKED_LM);
            for (JsonNode s : expected.get("sentences")) FamilyGolden.checkEncoderAndMlm(mlm, List.of(s));
            FamilyGolden.checkEncoderAndMlm(mlm, FamilyGolden.list(expected.get("batch")));
        }
    }
}
