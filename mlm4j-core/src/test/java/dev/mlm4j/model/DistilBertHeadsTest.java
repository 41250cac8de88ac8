package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * DistilBERT's task heads and its bare base model against transformers: families/distilbert-tiny-{sequence-classification,
 * token-classification,question-answering} carry distilbert-tiny's encoder weights under seeded random heads
 * (DistilBertForSequenceClassification: pre_classifier → ReLU → classifier on [CLS]; token classification's classifier;
 * qa_outputs), and families/distilbert-tiny-bare that encoder as DistilBertModel.save_pretrained writes it (keys
 * embeddings.*, transformer.*, no distilbert. prefix, which transformers loads into every DistilBERT class). Logits from
 * transformers' float32 forward in families/distilbert-tiny-heads.json (scripts/reference/families/encoders.py
 * distilbert-heads), within 1e-4; the bare encoder's hidden states and attentions equal distilbert-tiny/expected.json's.
 */
class DistilBertHeadsTest {

    @Test
    void theHeadsMatchTransformers() {
        JsonNode expected = FamilyGolden.readJson(FamilyGolden.folder("distilbert-tiny").resolveSibling("distilbert-tiny-heads.json"));
        try (FamilyGolden g = FamilyGolden.open("distilbert-tiny")) {
            assertEquals(List.of("DistilBertModel", "DistilBertForMaskedLM", "DistilBertForSequenceClassification",
                    "DistilBertForTokenClassification", "DistilBertForQuestionAnswering"), g.family.architectures());
            for (JsonNode s : expected.get("sentences")) g.checkHeads(List.of(s), "distilbert");
            g.checkHeads(FamilyGolden.list(expected.get("batch")), "distilbert");
        }
    }

    @Test
    void aBareDistilBertModelFolderIsTheSameEncoder() {
        try (FamilyGolden g = FamilyGolden.open("distilbert-tiny-bare")) {
            assertEquals(false, g.family.head(Task.MASKED_LM).orElseThrow().isIn(g.tensors));
            FamilyGolden.checkEncoder(g.load(Task.ENCODER), FamilyGolden.list(FamilyGolden.expected("distilbert-tiny").get("batch")));
        }
    }
}
