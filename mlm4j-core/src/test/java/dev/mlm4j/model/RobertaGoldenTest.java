package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.RobertaConfig;
import dev.mlm4j.embeddings.RobertaEmbeddings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RoBERTa and XLM-RoBERTa against transformers on the committed fixtures families/roberta-tiny and
 * families/xlm-roberta-tiny (seeded random RobertaForMaskedLM / XLMRobertaForMaskedLM, hidden 32, 2 layers, pad_token_id
 * 1, and their sequence-classification, token-classification and question-answering heads on the same encoder weights;
 * expected.json from transformers' float32 eager forward, all made by scripts/reference/families/encoders.py). The
 * model path: token ids come from expected.json (transformers' tokenizer), so this holds whatever reads tokenizer.json.
 * Last hidden state within 1e-4, attention probabilities within 1e-5, MLM top-5 equal (logits within 1e-4), head
 * logits within 1e-4; each sentence alone, a padded batch of three (mlm4j packs it), and a sequence with a {@code <pad>}
 * id among its tokens, whose position ids skip it as transformers' {@code create_position_ids_from_input_ids} does.
 */
class RobertaGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"roberta", "xlm-roberta"})
    void theFolderIsItsFamilyByConfigAndLoadsTheMaskedLm(String name) {
        try (FamilyGolden g = FamilyGolden.open(name + "-tiny")) {
            RobertaFamily family = assertInstanceOf(RobertaFamily.class, g.family);
            assertEquals(name, family.modelType());
            RobertaConfig c = assertInstanceOf(RobertaConfig.class, g.config);
            assertEquals(new BertConfig(c.vocabSize(), 32, 2, 4, 64, "gelu", 66, 1, 1e-5, 1), c.bert());
            assertEquals(64, c.maxPositionEmbeddings(), "514 rows of roberta-base hold 512 tokens; 66 rows hold 64");
            assertInstanceOf(RobertaForMaskedLM.class, g.load(Task.MASKED_LM));
            String prefix = name.equals("roberta") ? "Roberta" : "XLMRoberta";
            assertEquals(List.of(prefix + "Model", prefix + "ForMaskedLM", prefix + "ForSequenceClassification",
                    prefix + "ForTokenClassification", prefix + "ForQuestionAnswering"), family.architectures());
        }
    }

    @Test
    void theFamilyIsChosenByModelTypeElseByArchitectures() throws IOException {
        for (String[] c : new String[][] {{"roberta", "RobertaForMaskedLM"}, {"xlm-roberta", "XLMRobertaForSequenceClassification"}}) {
            EncoderFamily byType = EncoderFamilies.of(FamilyGolden.JSON.readTree("{\"model_type\": \"" + c[0] + "\"}"), "c");
            assertEquals(c[0], byType.modelType());
            EncoderFamily byName = EncoderFamilies.of(FamilyGolden.JSON.readTree("{\"architectures\": [\"" + c[1] + "\"]}"), "c");
            assertEquals(c[0], byName.modelType());
        }
        String message = assertThrows(IllegalArgumentException.class, () -> EncoderFamilies.of(
                FamilyGolden.JSON.readTree("{\"model_type\": \"roberta\", \"architectures\": [\"BertForMaskedLM\"]}"), "c")).getMessage();
        assertTrue(message.startsWith("c: \"architectures\": \"BertForMaskedLM\" is not supported (mlm4j implements \"RobertaModel\""), message);
    }

    /** transformers' create_position_ids_from_input_ids: cumsum(mask) * mask + padding_idx, mask = id ≠ padding_idx. */
    @Test
    void positionIdsCountNonPaddingTokensFromPaddingIdxPlusOne() {
        Batch batch = Batch.of(new int[][] {{0, 5, 1, 6, 2}, {0, 7, 2}}, null);
        assertArrayEquals(new int[] {2, 3, 1, 4, 5, 2, 3, 4}, RobertaEmbeddings.positionIds(batch, 1));
    }

    @Test
    void aSequenceLongerThanThePositionTableAllowsIsAOneLineError() {
        try (FamilyGolden g = FamilyGolden.open("roberta-tiny")) {
            Encoder encoder = g.load(Task.ENCODER);
            int[] ids = new int[65];
            java.util.Arrays.fill(ids, 5);
            String message = assertThrows(IllegalArgumentException.class,
                    () -> encoder.forward(Batch.of(new int[][] {ids}, null), ForwardOptions.DEFAULT)).getMessage();
            assertEquals("a sequence of 65 tokens is longer than the model's maximum of 64", message);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"roberta", "xlm-roberta"})
    void eachSentenceAloneMatchesTransformers(String name) {
        JsonNode expected = FamilyGolden.expected(name + "-tiny");
        try (FamilyGolden g = FamilyGolden.open(name + "-tiny")) {
            MaskedLanguageModel mlm = g.load(Task.MASKED_LM);
            for (JsonNode s : expected.get("sentences")) FamilyGolden.checkEncoderAndMlm(mlm, List.of(s));
            FamilyGolden.checkEncoderAndMlm(mlm, List.of(expected.get("pad_inside")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"roberta", "xlm-roberta"})
    void aPaddedBatchMatchesTransformersOnTheRealTokens(String name) {
        JsonNode expected = FamilyGolden.expected(name + "-tiny");
        try (FamilyGolden g = FamilyGolden.open(name + "-tiny")) {
            FamilyGolden.checkEncoderAndMlm(g.load(Task.MASKED_LM), FamilyGolden.list(expected.get("batch")));
        }
    }

    /** RobertaClassificationHead is dense → tanh → out_proj on {@code <s>} (no pooler); token classification and QA a linear layer per token. */
    @ParameterizedTest
    @ValueSource(strings = {"roberta", "xlm-roberta"})
    void theHeadsMatchTransformers(String name) {
        JsonNode expected = FamilyGolden.expected(name + "-tiny");
        try (FamilyGolden g = FamilyGolden.open(name + "-tiny")) {
            for (JsonNode s : expected.get("sentences")) g.checkHeads(List.of(s), name);
            g.checkHeads(FamilyGolden.list(expected.get("batch")), name);
        }
    }

    /** A bare RobertaModel's folder (keys embeddings.*, encoder.*, as save_pretrained writes them) is the same encoder. */
    @ParameterizedTest
    @ValueSource(strings = {"roberta", "xlm-roberta"})
    void aBareBaseModelFolderIsTheSameEncoder(String name) {
        JsonNode expected = FamilyGolden.expected(name + "-tiny");
        try (FamilyGolden g = FamilyGolden.open(name + "-tiny-bare")) {
            assertEquals(false, g.tensors.containsAnyUnder("roberta."), "the fixture's keys have no base prefix");
            FamilyGolden.checkEncoder(g.load(Task.ENCODER), FamilyGolden.list(expected.get("batch")));
        }
    }
}
