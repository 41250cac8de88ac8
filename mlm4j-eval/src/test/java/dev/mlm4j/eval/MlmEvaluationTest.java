package dev.mlm4j.eval;

import dev.mlm4j.attention.AttentionMask;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Accuracy and pseudo-perplexity from a scorer whose probabilities and ranks are known. */
class MlmEvaluationTest {
    static final int CLS = 101, SEP = 102, MASK = 103;

    /** Answers by target id: target → (probability, rank); remembers what it was asked. */
    static final class KnownScorer implements MaskedTokenScorer {
        final Map<Integer, double[]> answers;
        final List<Query> asked = new ArrayList<>();
        final List<AttentionMask.Direction> directions = new ArrayList<>();

        KnownScorer(Map<Integer, double[]> answers) {
            this.answers = answers;
        }

        @Override
        public Score[] score(List<Query> queries, AttentionMask.Direction direction) {
            Score[] s = new Score[queries.size()];
            for (int i = 0; i < s.length; i++) {
                Query q = queries.get(i);
                asked.add(q);
                directions.add(direction);
                if (direction == AttentionMask.Direction.CAUSAL && q.ids()[q.row()] != MASK) {
                    assertEquals(q.ids().length - 1, q.row(), "a next-token query is read at its last token");
                } else {
                    assertEquals(MASK, q.ids()[q.row()], "the query's mask is where it says");
                }
                double[] a = answers.get(q.target());
                s[i] = new Score(Math.log(a[0]), (int) a[1]);
            }
            return s;
        }
    }

    @Test
    void accuracyAndPseudoPerplexityOnAHandMadeCase() {
        // one sentence of 10 pieces (ids 1..10), masks at pieces 0, 4 and 9; a second of 5 pieces, mask at piece 2
        MlmEvaluation.Item a = new MlmEvaluation.Item("d", 0, new int[] {CLS, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, SEP}, new int[] {1, 5, 10});
        MlmEvaluation.Item b = new MlmEvaluation.Item("d", 1, new int[] {CLS, 21, 22, 23, 24, 25, SEP}, new int[] {3});
        KnownScorer scorer = new KnownScorer(Map.of(
                1, new double[] {0.5, 1},      // piece 0 of 10: quintile 0
                5, new double[] {0.25, 2},     // piece 4 of 10: quintile 2
                10, new double[] {0.125, 6},   // piece 9 of 10: quintile 4
                23, new double[] {1.0, 1}));   // piece 2 of 5: quintile 2
        MlmEvaluation.Options o = new MlmEvaluation.Options(10, 0.15, 1, List.of(MlmEvaluation.Condition.BIDIRECTIONAL), 5, 1, 126);
        MlmReport r = MlmEvaluation.run(List.of(a, b), scorer, MASK, SEP, o, Meter.NONE);

        MlmReport.Metrics m = r.results().getFirst().overall();
        assertEquals(4, m.n());
        assertEquals(0.5, m.top1Accuracy(), 1e-12);
        assertEquals(0.75, m.top5Accuracy(), 1e-12);
        // exp(−(ln ½ + ln ¼ + ln ⅛ + ln 1)/4) = 2^(6/4)
        assertEquals(Math.pow(2, 1.5), m.pseudoPerplexity(), 1e-9);
        assertEquals(4, r.masks());
        assertEquals(15, r.pieces());

        List<MlmReport.Metrics> q = r.results().getFirst().byQuintile();
        assertEquals(List.of(1L, 0L, 2L, 0L, 1L), q.stream().map(MlmReport.Metrics::n).toList());
        assertEquals(2.0, q.get(0).pseudoPerplexity(), 1e-9);
        assertEquals(0.5, q.get(2).top1Accuracy(), 1e-12);
        assertEquals(2.0, q.get(2).pseudoPerplexity(), 1e-9, "exp(−(ln ¼ + ln 1)/2)");
        assertEquals(0.0, q.get(4).top5Accuracy(), 1e-12, "rank 6 is outside the top five");
        assertTrue(Double.isNaN(q.get(1).pseudoPerplexity()));
        assertTrue(r.markdown().contains("| bidirectional | 4 | 50.0 % ± 49.0 | 75.0 % ± 42.4 | 2.83 |"), r.markdown());
    }

    @Test
    void eachConditionAsksItsOwnQuestion() {
        int[] ids = {CLS, 11, 12, 13, 14, SEP};
        MaskedTokenScorer.Query bi = MlmEvaluation.query(MlmEvaluation.Condition.BIDIRECTIONAL, ids, 2, MASK, SEP);
        assertArrayEquals(new int[] {CLS, 11, MASK, 13, 14, SEP}, bi.ids());
        MaskedTokenScorer.Query causal = MlmEvaluation.query(MlmEvaluation.Condition.CAUSAL, ids, 2, MASK, SEP);
        assertArrayEquals(new int[] {CLS, 11, MASK}, causal.ids(), "nothing right of the mask can reach it under the causal mask");
        MaskedTokenScorer.Query left = MlmEvaluation.query(MlmEvaluation.Condition.LEFT_ONLY, ids, 2, MASK, SEP);
        assertArrayEquals(new int[] {CLS, 11, MASK, SEP}, left.ids());
        MaskedTokenScorer.Query hidden = MlmEvaluation.query(MlmEvaluation.Condition.RIGHT_MASKED, ids, 2, MASK, SEP);
        assertArrayEquals(new int[] {CLS, 11, MASK, MASK, MASK, SEP}, hidden.ids());
        MaskedTokenScorer.Query open = MlmEvaluation.query(MlmEvaluation.Condition.LEFT_OPEN, ids, 2, MASK, SEP);
        assertArrayEquals(new int[] {CLS, 11, MASK}, open.ids(), "the left context and the mask, no [SEP]");
        for (var q : List.of(bi, causal, left, hidden, open)) {
            assertEquals(2, q.row());
            assertEquals(12, q.target());
        }
        assertArrayEquals(new int[] {CLS, 11, 12, 13, 14, SEP}, ids, "the sentence itself is untouched");

        MlmEvaluation.Item it = new MlmEvaluation.Item("d", 0, ids, new int[] {2, 4});
        KnownScorer scorer = new KnownScorer(Map.of(12, new double[] {0.5, 1}, 14, new double[] {0.5, 1}));
        MlmEvaluation.Options o = new MlmEvaluation.Options(1, 0.15, 1, List.of(MlmEvaluation.Condition.values()), 1, 1, 126);
        MlmReport r = MlmEvaluation.run(List.of(it), scorer, MASK, SEP, o, Meter.NONE);
        assertEquals(6, r.results().size());
        assertEquals(List.of(AttentionMask.Direction.BIDIRECTIONAL, AttentionMask.Direction.BIDIRECTIONAL,
                AttentionMask.Direction.CAUSAL, AttentionMask.Direction.CAUSAL,
                AttentionMask.Direction.BIDIRECTIONAL, AttentionMask.Direction.BIDIRECTIONAL,
                AttentionMask.Direction.BIDIRECTIONAL, AttentionMask.Direction.BIDIRECTIONAL,
                AttentionMask.Direction.BIDIRECTIONAL, AttentionMask.Direction.BIDIRECTIONAL,
                AttentionMask.Direction.CAUSAL, AttentionMask.Direction.CAUSAL), scorer.directions);
        assertEquals(6 + 6 + 3 + 5 + 4 + 6 + 6 + 6 + 3 + 5 + 2 + 4, r.results().stream().mapToLong(MlmReport.ConditionResult::tokensRun).sum());
        MaskedTokenScorer.Query next = scorer.asked.get(10);
        assertArrayEquals(new int[] {CLS, 11}, next.ids(), "next-token: the pieces left of the target, nothing else");
        assertEquals(12, next.target());
    }
}
