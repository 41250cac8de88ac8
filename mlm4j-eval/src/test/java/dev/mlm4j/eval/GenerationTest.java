package dev.mlm4j.eval;

import dev.mlm4j.util.ProgressListener;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Generation: choosing pieces, mask-predict's re-masking, and what each strategy costs on the real model. */
class GenerationTest {

    @Test
    void greedyTakesTheBestAllowedPiece() {
        float[] logits = {5, 1, 4, 3, 2};
        boolean[] allowed = {false, true, true, true, true};
        double[] p = Generation.pick(logits, 0, 5, allowed, 0, new Random(1));
        assertEquals(2, (int) p[0], "piece 0 is not allowed");
        double z = Math.exp(1) + Math.exp(4) + Math.exp(3) + Math.exp(2);
        assertEquals(Math.exp(4) / z, p[1], 1e-9, "probability among the allowed pieces");
    }

    @Test
    void topKSamplesOnlyAmongTheKBestAndIsSeeded() {
        float[] logits = {0, 3, 2.9f, 2.8f, -5, 1};
        boolean[] allowed = {true, true, true, true, true, true};
        Set<Integer> seen = new HashSet<>();
        Random r = new Random(5);
        for (int i = 0; i < 300; i++) seen.add((int) Generation.pick(logits, 0, 6, allowed, 3, r)[0]);
        assertEquals(Set.of(1, 2, 3), seen);
        assertEquals(Generation.pick(logits, 0, 6, allowed, 3, new Random(9))[0], Generation.pick(logits, 0, 6, allowed, 3, new Random(9))[0]);
    }

    @Test
    void distinctBigramsAndRepeatedTrigramsCountWords() {
        // words: a b a b a b c → bigrams ab ba ab ba ab bc: 3 distinct of 6; trigrams aba bab aba bab abc: 2 repeat an earlier one of 5
        Generation.Diversity d = Generation.Diversity.of(" A b a b a B c ");
        assertEquals(0.5, d.distinct2(), 1e-12);
        assertEquals(0.4, d.repeatedTrigrams(), 1e-12);
        Generation.Diversity fresh = Generation.Diversity.of("the jury said that the city");
        assertEquals(1.0, fresh.distinct2(), 1e-12);
        assertEquals(0.0, fresh.repeatedTrigrams(), 1e-12);
        assertTrue(Double.isNaN(Generation.Diversity.of("word").distinct2()));
        assertTrue(Double.isNaN(Generation.Diversity.of("two words").repeatedTrigrams()));
        assertTrue(Double.isNaN(Generation.Diversity.of("").distinct2()));
        // a run of periods (what a small MLM generates left to right) is six repeated units, not one word
        Generation.Diversity dots = Generation.Diversity.of("......");
        assertEquals(0.2, dots.distinct2(), 1e-12, "one distinct bigram of five");
        assertEquals(0.75, dots.repeatedTrigrams(), 1e-12, "three of four trigrams repeat the first");
        assertEquals(1.0, Generation.Diversity.of("the city's jury, 1961").distinct2(), 1e-12, "the city ' s jury , 1961: 6 bigrams, all distinct");
    }

    @Test
    void maskPredictRemasksTheLeastConfident() {
        assertArrayEquals(new int[] {1, 3}, Generation.leastConfident(new double[] {0.9, 0.1, 0.8, 0.2}, 2));
        assertArrayEquals(new int[] {0, 1}, Generation.leastConfident(new double[] {0.5, 0.5, 0.5}, 2), "ties: earlier first");
        assertArrayEquals(new int[0], Generation.leastConfident(new double[] {0.5}, 0));
    }

    @Test
    void eachStrategySpendsWhatItShouldOnTheRealModel() {
        dev.mlm4j.pipelines.Models.resolve("bert-base-uncased", dev.mlm4j.util.ProgressListener.NONE);
        EvalModel m = EvalModel.load("bert-base-uncased", ProgressListener.NONE);
        Generation.Options o = new Generation.Options(6, 3, 0, 1);
        int prompt = m.pieces("The jury said that").length;
        for (Generation.Strategy s : Generation.defaultStrategies(false)) {
            Generation.Output out = Generation.generate(m, "The jury said that", s, o, 1);
            assertEquals(s == Generation.Strategy.MASK_PREDICT ? 3 : 6, out.forwardPasses(), s.label());
            long expected = switch (s) {
                case LEFT_TO_RIGHT, CAUSAL -> 6L * (prompt + 2) + (5 * 6) / 2 + 6;    // Σ (1 + prompt + i + 2) for i < 6
                case MASKS_AHEAD -> 6L * (prompt + 8);
                case MASK_PREDICT -> 3L * (prompt + 8);
                case CAUSAL_LM -> throw new AssertionError("a masked LM's strategies only");
            };
            assertEquals(expected, out.tokensEncoded(), s.label());
            assertTrue(out.text().startsWith("the jury said that"), out.text());
            assertFalse(out.continuation().contains("[MASK]") || out.continuation().contains("[SEP]"), out.continuation());
            assertTrue(out.pseudoPerplexity() >= 1, s.label());
            assertTrue(out.distinct() > 0 && out.distinct() <= 1);
            Generation.Output again = Generation.generate(m, "The jury said that", s, o, 1);
            assertEquals(out.text(), again.text(), "greedy generation is deterministic");
            assertEquals(out.pseudoPerplexity(), again.pseudoPerplexity(), 1e-9);
        }
        Generation.GenerationReport r = Generation.run(m, List.of("The jury said that"), Generation.defaultStrategies(false), o, Meter.NONE);
        assertEquals(4, r.outputs().size());
        assertTrue(r.markdown().contains("| mask-predict | 0.50 |"), r.markdown());
        var e = assertThrows(IllegalArgumentException.class,
                () -> Generation.run(m, List.of("The jury said that"), List.of(Generation.Strategy.CAUSAL_LM), o, Meter.NONE));
        assertEquals("strategy causal-lm needs a causal LM (config.json \"is_decoder\": true); bert-base-uncased is a masked LM:"
                + " use left-to-right, causal, masks-ahead or mask-predict", e.getMessage());
    }
}
