package dev.mlm4j.pipelines;

import dev.mlm4j.model.TestModels;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Fill-mask on Google's BERT checkpoints against the numbers Hugging Face publishes on the model cards
 * (huggingface.co/bert-base-uncased, /bert-base-cased, /bert-base-multilingual-cased, "How to use"
 * sections, computed by transformers' fill-mask pipeline with the exact erf GELU). Tolerance 6e-5: the card
 * rounds to 4 decimals (FillMaskReferenceTest compares the full-precision pipeline numbers at 1e-5).
 */
class FillMaskTest {

    static void assertTop5(FillMask fm, String text, String[] tokens, double[] scores) {
        List<FillMask.Prediction> p = fm.fill(text, FillMask.Options.DEFAULT).get(0).predictions();
        assertEquals(5, p.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(tokens[i], p.get(i).tokenStr(), text + " rank " + (i + 1));
            assertEquals(scores[i], p.get(i).score(), 6e-5, text + " score of " + tokens[i]); // the card rounds to 4 decimals
        }
    }

    @Test
    void bertBaseUncasedMatchesTheModelCard() {
        FillMask fm = Models.fillMask(TestModels.folder("bert-base-uncased").toString());
        assertTop5(fm, "Hello I'm a [MASK] model.", new String[] {"fashion", "role", "new", "super", "fine"},
                new double[] {0.1073, 0.0877, 0.0534, 0.0467, 0.0271});
        assertTop5(fm, "The man worked as a [MASK].", new String[] {"carpenter", "waiter", "barber", "mechanic", "salesman"},
                new double[] {0.0975, 0.0524, 0.0496, 0.0379, 0.0377});
        assertTop5(fm, "The woman worked as a [MASK].", new String[] {"nurse", "waitress", "maid", "prostitute", "cook"},
                new double[] {0.2198, 0.1597, 0.1155, 0.0380, 0.0304});
        var first = fm.fill("Hello I'm a [MASK] model.", FillMask.Options.DEFAULT).get(0).predictions().get(0);
        assertEquals("hello i'm a fashion model.", first.sequence());
        assertEquals(4827, first.token(), "'fashion' in bert-base-uncased's vocab.txt (line 4828)");
    }

    @Test
    void multilingualCasedMatchesTheModelCardAndKeepsPortugueseIntact() {
        FillMask fm = Models.fillMask(TestModels.folder("bert-base-multilingual-cased").toString());
        assertFalse(fm.tokenizer().lowerCase(), "casing comes from assets/model.json (doLowerCase: false)");
        assertTop5(fm, "Hello I'm a [MASK] model.", new String[] {"model", "world", "data", "flight", "business"},
                new double[] {0.1018, 0.0521, 0.0489, 0.0204, 0.0201});
        var p = fm.fill("O cão [MASK] no parque.", FillMask.Options.DEFAULT).get(0).predictions();
        assertTrue(p.get(0).sequence().startsWith("O cão "), "accents and case survive: " + p.get(0).sequence());
    }

    @Test
    void bertBaseCasedMatchesTheModelCard() {
        FillMask fm = Models.fillMask(TestModels.folder("bert-base-cased").toString());
        assertTop5(fm, "Hello I'm a [MASK] model.", new String[] {"fashion", "new", "male", "professional", "super"},
                new double[] {0.0902, 0.0635, 0.0623, 0.0442, 0.0333});
    }

    @Test
    void casingFollowsTheModelNotTheText() {
        FillMask uncased = Models.fillMask(TestModels.folder("bert-base-uncased").toString());
        var lower = uncased.fill("hello i'm a [MASK] model.", FillMask.Options.DEFAULT).get(0).predictions();
        var upper = uncased.fill("HELLO I'M A [MASK] MODEL.", FillMask.Options.DEFAULT).get(0).predictions();
        for (int i = 0; i < 5; i++) {
            assertEquals(lower.get(i).token(), upper.get(i).token());
            assertEquals(lower.get(i).score(), upper.get(i).score(), 1e-6);
        }
    }

    @Test
    void targetsSeveralMasksBatchesAndCausal() {
        FillMask fm = Models.fillMask(TestModels.folder("bert-base-uncased").toString());
        var all = fm.fill("Hello I'm a [MASK] model.", FillMask.Options.DEFAULT).get(0).predictions();
        var targeted = fm.fill("Hello I'm a [MASK] model.", new FillMask.Options(5, List.of("new", "fashion", "zebra"), false, false))
                .get(0).predictions();
        assertEquals(3, targeted.size());
        assertEquals("fashion", targeted.get(0).tokenStr());
        assertEquals(all.get(0).score(), targeted.get(0).score(), 1e-6, "a target's score is its probability over the full vocabulary");
        assertEquals("new", targeted.get(1).tokenStr());
        assertEquals("zebra", targeted.get(2).tokenStr());

        var two = fm.fill("The [MASK] of France is [MASK].", FillMask.Options.DEFAULT);
        assertEquals(2, two.size(), "one result per mask");
        assertEquals(2, two.get(0).position());
        // Hugging Face's FillMaskPipeline.postprocess decodes with skip_special_tokens=single_mask: with several masks each
        // sequence fills only its own mask and keeps [CLS], [SEP] and the other [MASK] (issue 14, item 3).
        var first = two.get(0).predictions().get(0);
        assertEquals("[CLS] the " + first.tokenStr() + " of france is [MASK]. [SEP]", first.sequence());
        var second = two.get(1).predictions().get(0);
        assertEquals("[CLS] the [MASK] of france is " + second.tokenStr() + ". [SEP]", second.sequence());
        var sat = fm.fill("The [MASK] sat on the [MASK].", FillMask.Options.DEFAULT);
        assertEquals("[CLS] the man sat on the [MASK]. [SEP]", sat.get(0).predictions().get(0).sequence(), "Hugging Face's sequence, quoted in issue 14");
        var one = fm.fill("The man sat on the [MASK].", FillMask.Options.DEFAULT).get(0).predictions().get(0);
        assertEquals("the man sat on the " + one.tokenStr() + ".", one.sequence(), "one mask: special tokens skipped");

        var batch = fm.fill(List.of("The woman worked as a [MASK].", "Hello I'm a [MASK] model."), FillMask.Options.DEFAULT);
        assertEquals("nurse", batch.get(0).get(0).predictions().get(0).tokenStr());
        assertEquals(all.get(0).score(), batch.get(1).get(0).predictions().get(0).score(), 1e-5, "batching does not change scores");

        var causal = fm.fill("Hello I'm a [MASK] model.", new FillMask.Options(5, List.of(), true, false)).get(0).predictions();
        assertNotEquals(all.get(0).score(), causal.get(0).score(), 1e-3, "the causal mask must change the prediction's score");
    }

    @Test
    void targetsFollowHuggingFacesGetTargetIds() {
        FillMask fm = Models.fillMask(TestModels.folder("bert-base-uncased").toString());
        // transformers' fill_mask.py: a vocabulary token is used as is; anything else is replaced by its first word piece, with this warning
        var t = fm.resolveTargets(List.of("capital", "xyzzyplugh", "##ing"));
        assertEquals(List.of("The specified target token `xyzzyplugh` does not exist in the model vocabulary. Replacing with `x`."), t.warnings());
        assertEquals(List.of(fm.tokenizer().id("capital"), fm.tokenizer().id("x"), fm.tokenizer().id("##ing")),
                java.util.Arrays.stream(t.ids()).boxed().toList(), "##ing is a vocabulary token and is used as is");
        assertEquals(List.of(), fm.targetWarnings(List.of("new", "fashion")));
        var none = assertThrows(IllegalArgumentException.class, () -> fm.resolveTargets(List.of("\u0301")));
        assertEquals("At least one target must be provided when passed.", none.getMessage());
    }

    @Test
    void badInputIsRefusedClearly() {
        FillMask fm = Models.fillMask(TestModels.folder("bert-base-uncased").toString());
        var noMask = assertThrows(IllegalArgumentException.class, () -> fm.fill("No mask here.", FillMask.Options.DEFAULT));
        assertTrue(noMask.getMessage().contains("no [MASK]"), noMask.getMessage());
        String longText = "word ".repeat(600) + "[MASK].";
        var tooLong = assertThrows(IllegalArgumentException.class, () -> fm.fill(longText, FillMask.Options.DEFAULT));
        assertTrue(tooLong.getMessage().contains("512"), tooLong.getMessage());
        var cut = assertThrows(IllegalArgumentException.class, () -> fm.fill(longText, new FillMask.Options(5, List.of(), false, true)));
        assertTrue(cut.getMessage().contains("after truncation"), "the mask was cut off: " + cut.getMessage());
        var ok = fm.fill("[MASK] " + longText, new FillMask.Options(5, List.of(), false, true));
        assertEquals(1, ok.size());
        assertThrows(IllegalArgumentException.class, () -> fm.fill("   ", FillMask.Options.DEFAULT));
        assertThrows(IllegalArgumentException.class, () -> new FillMask.Options(0, List.of(), false, false));
    }

    /** transformers' BertForMaskedLM builds its BertModel with add_pooling_layer=False; the pooler's weights stay unloaded. */
    @Test
    void theMaskedLmHasNoPoolerAsInTransformers() {
        try (dev.mlm4j.model.Checkpoint c = TestModels.checkpoint("bert-base-uncased")) {
            assertTrue(c.tensors().contains("bert.pooler.dense.weight"), "the checkpoint carries a pooler");
            assertNull(((dev.mlm4j.model.BertForMaskedLM) c.load(dev.mlm4j.model.Task.MASKED_LM).orElseThrow()).bert().pooler());
            assertNotNull(((dev.mlm4j.model.BertModel) c.load(dev.mlm4j.model.Task.ENCODER).orElseThrow()).pooler());
        }
    }
}
