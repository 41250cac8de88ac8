package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.explorer.AttentionView;
import dev.mlm4j.explorer.ExplorerModel;
import dev.mlm4j.explorer.ExplorerOptions;
import dev.mlm4j.pipelines.FillMask;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.TextClassification;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
            for (JsonNode s : expected.get("sentences")) {
                assertArrayEquals(FamilyGolden.ints(s.get("ids")), c.tokenizer().encode(s.get("text").asText()).ids(), s.get("text").asText());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"roberta", "xlm-roberta"})
    void fillMaskUsesMaskAndEqualsTransformersPipeline(String family) {
        JsonNode expected = FamilyGolden.expected(family + "-tiny");
        FillMask fill = Models.fillMask(FamilyGolden.folder(family + "-tiny").toString());
        assertEquals("<mask>", fill.maskToken());
        for (JsonNode f : expected.get("fill_mask")) {
            List<FillMask.Prediction> got = fill.fill(f.get("text").asText(), FillMask.Options.DEFAULT).get(0).predictions();
            JsonNode want = f.get("predictions");
            assertEquals(want.size(), got.size());
            for (int i = 0; i < want.size(); i++) {
                assertEquals(want.get(i).get("token_str").asText(), got.get(i).tokenStr(), f.get("text").asText());
                assertEquals(want.get(i).get("token").asInt(), got.get(i).token());
                assertEquals(want.get(i).get("score").asDouble(), got.get(i).score(), 1e-4);
            }
        }
        String message = assertThrows(IllegalArgumentException.class,
                () -> fill.fill("The capital of France is [MASK].", FillMask.Options.DEFAULT)).getMessage();
        assertEquals("no <mask> token in text 'The capital of France is [MASK].': this model's mask token is <mask>, not [MASK]", message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"roberta", "xlm-roberta"})
    void textClassificationGivesTheHeadsLogits(String family) {
        JsonNode expected = FamilyGolden.expected(family + "-tiny");
        TextClassification classifier = Models.textClassification(FamilyGolden.folder(family + "-tiny-sequence-classification").toString());
        assertEquals(List.of("negative", "neutral", "positive"), classifier.labels());
        for (JsonNode s : expected.get("sentences")) {
            float[] got = classifier.logits(List.of(new TextClassification.Input(s.get("text").asText(), null))).get(0);
            JsonNode want = s.get("sequence-classification");
            for (int j = 0; j < want.size(); j++) assertEquals(want.get(j).asDouble(), got[j], 1e-4, s.get("text").asText());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"roberta", "xlm-roberta"})
    void embeddingsAndTheExplorerShowTransformersNumbers(String family) {
        JsonNode s = FamilyGolden.expected(family + "-tiny").get("sentences").get(2);
        Path folder = FamilyGolden.folder(family + "-tiny");
        float[] v = Models.embeddings(folder.toString()).embed(s.get("text").asText());
        JsonNode h = s.get("last_hidden_state");
        for (int j = 0; j < v.length; j++) {
            double mean = 0;
            for (JsonNode row : h) mean += row.get(j).asDouble() / h.size();
            assertEquals(mean, v[j], 1e-4, "dimension " + j);
        }
        AttentionView view = ExplorerModel.load(folder.toString()).run(s.get("text").asText(), null, ExplorerOptions.DEFAULT);
        assertArrayEquals(FamilyGolden.ints(s.get("ids")), view.ids());
        for (int l = 0; l < 2; l++) {
            for (int hd = 0; hd < 4; hd++) {
                double[][] a = view.attention(l, hd);
                JsonNode m = s.get("attentions").get(l).get(hd);
                for (int q = 0; q < m.size(); q++) {
                    for (int k = 0; k < m.size(); k++) assertEquals(m.get(q).get(k).asDouble(), a[q][k], 1e-5, "layer " + l + " head " + hd);
                }
            }
        }
    }
}
