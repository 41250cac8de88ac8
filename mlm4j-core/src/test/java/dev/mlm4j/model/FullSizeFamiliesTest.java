package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

/**
 * Every family beside BERT at its base model's size against transformers: RoBERTa (768 x 12, the 514-row position
 * table), ELECTRA (128-wide embeddings projected to 768, 12 layers), DeBERTa-v3 (768 x 12, 256 log position buckets,
 * p2c + c2p), ModernBERT (768 x 22, GeGLU 1152, global attention every third layer, a 128-token sliding window on the
 * others) and DistilBERT (768 x 6). The checkpoints (350-450 MB each) are generated, not committed, by
 * scripts/reference/families/full_size.py into a directory this test reads when run with
 * {@code -Dmlm4j.fullSizeFixtures=DIR} (skipped otherwise; a family whose folder is missing fails). Random ids of 12, 40,
 * 200 and 500 tokens — past ModernBERT's window and DeBERTa's linear buckets — one by one and the first three as a padded
 * batch, with the tiny fixtures' comparisons ({@link FamilyGolden#checkEncoderAndMlm}): last hidden state within 1e-4,
 * attention probabilities within 1e-5 (sequences of at most 40 tokens), MLM top-5 equal with logits within 1e-4. Each
 * family prints the largest differences it met.
 */
@EnabledIfSystemProperty(named = "mlm4j.fullSizeFixtures", matches = ".+")
class FullSizeFamiliesTest {

    @ParameterizedTest
    @ValueSource(strings = {"roberta", "electra", "deberta-v3", "modernbert", "distilbert"})
    void fullSizeEncodersMatchTransformers(String family) {
        Path folder = Path.of(System.getProperty("mlm4j.fullSizeFixtures")).resolve(family);
        JsonNode expected = FamilyGolden.readJson(folder.resolve("expected.json"));
        try (FamilyGolden g = FamilyGolden.open(folder)) {
            MaskedLanguageModel mlm = g.load(Task.MASKED_LM);
            FamilyGolden.Worst worst = FamilyGolden.Worst.NONE;
            for (JsonNode s : expected.get("sentences")) worst = worst.max(FamilyGolden.checkEncoderAndMlm(mlm, List.of(s)));
            worst = worst.max(FamilyGolden.checkEncoderAndMlm(mlm, FamilyGolden.list(expected.get("batch"))));
            System.out.println("full size " + family + ": largest differences from transformers: " + worst);
        }
    }
}
