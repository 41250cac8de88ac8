package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.TruncationBlockFolders;
import dev.mlm4j.config.Precision;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.TokenClassification;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The token-classification pipeline on RoBERTa (byte-level BPE), XLM-R (Unigram) and ELECTRA (WordPiece) folders
 * (families/&lt;family&gt;-tiny-token-classification) equals transformers' token-classification pipeline with
 * aggregation none, simple, first, average and max: labels, words, character offsets, scores within 1e-4
 * (families/&lt;family&gt;-tiny/pipelines.json, from scripts/reference/families/pipelines.py). Among the texts: a
 * {@code <mask>} whose lstrip takes the newline before it (its word is "<mask>", the vocabulary's string) and, for
 * XLM-R, a group whose words follow an unknown piece (the Metaspace decoder runs over the group at once).
 */
class FamilyTokenClassificationTest {

    @ParameterizedTest
    @ValueSource(strings = {"roberta", "xlm-roberta", "electra"})
    void nerEqualsTransformersPipeline(String family) {
        JsonNode expected = FamilyGolden.readJson(FamilyGolden.folder(family + "-tiny").resolve("pipelines.json")).get("token_classification");
        TokenClassification ner = Models.tokenClassification(FamilyGolden.folder(family + "-tiny-token-classification").toString(), null, Precision.FP32);
        for (String aggregation : List.of("none", "simple", "first", "average", "max")) {
            TokenClassification.Options options = TokenClassification.Options.DEFAULT.withAggregation(TokenClassification.Aggregation.of(aggregation));
            for (JsonNode c : expected.get(aggregation)) {
                String text = c.get("text").asText();
                List<TokenClassification.Entity> got = ner.classify(text, options);
                JsonNode want = c.get("entities");
                String where = family + " " + aggregation + " '" + text + "'";
                assertEquals(want.size(), got.size(), () -> where + ": " + got.stream().map(e -> e.toMap(text)).toList());
                for (int i = 0; i < want.size(); i++) {
                    JsonNode w = want.get(i);
                    TokenClassification.Entity g = got.get(i);
                    assertEquals(w.has("entity") ? w.get("entity").asText() : w.get("entity_group").asText(),
                            w.has("entity") ? g.entity() : g.entityGroup(), where + " entity " + i);
                    assertEquals(w.get("word").asText(), g.word(), where + " entity " + i);
                    assertEquals(w.get("start").asInt(), g.toMap(text).get("start"), where + " entity " + i);
                    assertEquals(w.get("end").asInt(), g.toMap(text).get("end"), where + " entity " + i);
                    assertEquals(w.get("score").asDouble(), g.score(), 1e-4, where + " entity " + i);
                }
            }
        }
    }

    /**
     * A tokenizer.json "truncation" block (16 tokens here; all-MiniLM-L6-v2 declares 128) does not cut the text: the
     * pipeline truncates to tokenizer_config.json's model_max_length (64), as transformers' pipeline passes it as
     * max_length (families/truncation-block.json, from scripts/reference/families/truncation_block.py). It cut at 16.
     */
    @org.junit.jupiter.api.Test
    void aTruncationBlockInTokenizerJsonYieldsToModelMaxLength(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws java.io.IOException {
        JsonNode fixture = FamilyGolden.readJson(FamilyGolden.folder("electra-tiny").getParent().resolve("truncation-block.json"));
        java.nio.file.Path dir = TruncationBlockFolders.patchedCopy(FamilyGolden.folder("electra-tiny-token-classification"), tmp, fixture);
        TokenClassification ner = Models.tokenClassification(dir.toString(), null, Precision.FP32);
        String text = fixture.get("ner").get("text").asText();
        List<TokenClassification.Entity> got = ner.classify(text, TokenClassification.Options.DEFAULT.withIgnoreLabels(List.of()));
        JsonNode want = fixture.get("ner").get("entities");
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i).get("entity").asText(), got.get(i).entity(), "entity " + i);
            assertEquals(want.get(i).get("word").asText(), got.get(i).word(), "entity " + i);
            assertEquals(want.get(i).get("end").asInt(), got.get(i).toMap(text).get("end"), "entity " + i);
            assertEquals(want.get(i).get("score").asDouble(), got.get(i).score(), 1e-4, "entity " + i);
        }
    }
}
