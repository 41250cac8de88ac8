package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.explorer.AttentionView;
import dev.mlm4j.explorer.ExplorerModel;
import dev.mlm4j.explorer.ExplorerOptions;
import dev.mlm4j.pipelines.FillMask;
import dev.mlm4j.pipelines.Models;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * RoBERTa and XLM-RoBERTa through the public paths, with their own tokenizer.json (byte-level BPE, Unigram) on the
 * fixtures of {@link RobertaGoldenTest}: the folder's tokenizer gives transformers' ids, {@link Models#fillMask} equals
 * transformers' fill-mask pipeline (tokens exact, scores within 1e-4) and refuses BERT's {@code [MASK]} naming
 * {@code <mask>}, text classification gives the head's logits, embeddings are the mean of the last hidden state, the
 * explorer shows transformers' attention.
 */
class RobertaPipelinesTest {

    @ParameterizedTest
    @ValueSource(strings = {"roberta", "xlm-roberta"})
    void theFoldersTokenizerGivesTransformersIds(String family) {
        JsonNode expected = FamilyGolden.expected(family + "-tiny");
        try (Checkpoint c = Checkpoint.open(FamilyGolden.folder(family + "-tiny"))) {
            for (JsonNode s : expected.get("sentences")) FamilyGolden.assertIds(c.tokenizer(), s);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"roberta", "xlm-roberta"})
    void fillMaskUsesMaskAndEqualsTransformersPipeline(String family) {
        JsonNode expected = FamilyGolden.expected(family + "-tiny");
        FillMask fill = FamilyGolden.fillMaskEqualsTransformers(FamilyGolden.folder(family + "-tiny"), expected);
        assertEquals("<mask>", fill.maskToken());
        String message = assertThrows(IllegalArgumentException.class,
                () -> fill.fill("The capital of France is [MASK].", FillMask.Options.DEFAULT)).getMessage();
        assertEquals("no <mask> token in text 'The capital of France is [MASK].': this model's mask token is <mask>, not [MASK]", message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"roberta", "xlm-roberta"})
    void textClassificationGivesTheHeadsLogits(String family) {
        JsonNode expected = FamilyGolden.expected(family + "-tiny");
        FamilyGolden.textClassificationGivesTransformersLogits(FamilyGolden.folder(family + "-tiny-sequence-classification"), expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"roberta", "xlm-roberta"})
    void embeddingsAndTheExplorerShowTransformersNumbers(String family) {
        JsonNode s = FamilyGolden.expected(family + "-tiny").get("sentences").get(2);
        Path folder = FamilyGolden.folder(family + "-tiny");
        FamilyGolden.embeddingIsTheMeanOfTheLastHiddenState(folder, s);
        AttentionView view = ExplorerModel.load(folder.toString()).run(s.get("text").asText(), null, ExplorerOptions.DEFAULT);
        FamilyGolden.viewShowsTransformersAttention(view, s, 2, 4);
    }
}
