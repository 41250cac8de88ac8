package dev.mlm4j.eval;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.util.ProgressListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The real bert-base-uncased behind the masked-LM evaluation: scores, ranks and the exact causal shortcut. */
class EvalModelTest {
    static EvalModel model;

    @BeforeAll
    static void load() {
        dev.mlm4j.pipelines.Models.resolve("bert-base-uncased", dev.mlm4j.util.ProgressListener.NONE);          // fetched on a fresh machine
        model = EvalModel.load("bert-base-uncased", ProgressListener.NONE);
    }

    @Test
    void scoresAndRanksAMaskedWord() {
        int[] ids = model.withSpecials(model.pieces("Paris is the capital of France."));
        int t = 4;
        assertEquals("capital", model.tokenizer().token(ids[t]));
        MaskedTokenScorer.Query q = MlmEvaluation.query(MlmEvaluation.Condition.BIDIRECTIONAL, ids, t, model.tokenizer().maskId(), model.tokenizer().sepId());
        MaskedTokenScorer.Score s = model.score(List.of(q), AttentionMask.Direction.BIDIRECTIONAL)[0];
        assertEquals(1, s.rank());
        assertTrue(s.logProb() > Math.log(0.9), "fill-mask gives 'capital' ≈ 0.997: " + Math.exp(s.logProb()));
    }

    @Test
    void theCausalQueryCutAfterTheMaskScoresExactlyLikeTheWholeSentence() {
        int[] ids = model.withSpecials(model.pieces("The jury further said in term-end presentments that the City Executive Committee deserves praise."));
        int mask = model.tokenizer().maskId(), sep = model.tokenizer().sepId();
        for (int t : new int[] {1, 5, ids.length - 3}) {
            MaskedTokenScorer.Query cut = MlmEvaluation.query(MlmEvaluation.Condition.CAUSAL, ids, t, mask, sep);
            int[] whole = ids.clone();
            whole[t] = mask;
            MaskedTokenScorer.Query full = new MaskedTokenScorer.Query(whole, t, ids[t]);
            MaskedTokenScorer.Score[] s = model.score(List.of(cut, full), AttentionMask.Direction.CAUSAL);
            assertEquals(s[1].logProb(), s[0].logProb(), 1e-4, "token " + t);
            assertEquals(s[1].rank(), s[0].rank(), "token " + t);
            // while under bidirectional attention the right-hand words do matter
            MaskedTokenScorer.Score[] b = model.score(List.of(cut, full), AttentionMask.Direction.BIDIRECTIONAL);
            assertNotEquals(b[1].logProb(), b[0].logProb(), 1e-3, "token " + t);
        }
    }

    @Test
    void scoreRowIsLogSoftmaxAndRank() {
        float[] logits = {0f, 0f, 2f, 1f, 2f};
        MaskedTokenScorer.Score s = EvalModel.scoreRow(logits, 0, 5, 3);
        double z = 2 + 2 * Math.exp(2) + Math.exp(1);
        assertEquals(1 - Math.log(z), s.logProb(), 1e-6);
        assertEquals(3, s.rank(), "two logits are higher");
        assertEquals(1, EvalModel.scoreRow(logits, 0, 5, 2).rank(), "ties share the better rank");
    }
}
