package dev.mlm4j.train;

import dev.mlm4j.layers.CrossEntropy;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BERT's masking (transformers' DataCollatorForLanguageModeling): 15 % of the non-special tokens chosen, of those 80 %
 * [MASK], 10 % a random token, 10 % unchanged; checked on 200 000 tokens against binomial bounds (5 standard deviations,
 * so a correct implementation fails with probability below 1e-6), plus determinism by seed and whole-word groups.
 */
class MaskingTest {
    private static final int VOCAB = 1000, MASK = 4;

    /** [CLS] w… [SEP] with ids from 5, every third token a "##" continuation of the word before. */
    private static Sequence sequence(int length, int seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] ids = new int[length];
        boolean[] special = new boolean[length], start = new boolean[length];
        for (int i = 0; i < length; i++) {
            ids[i] = 5 + r.nextInt(VOCAB - 5);
            start[i] = i % 3 != 2;
        }
        ids[0] = 2;
        ids[length - 1] = 3;
        special[0] = special[length - 1] = true;
        return new Sequence(ids, new int[length], special, start, null, 1);
    }

    private static void within(double expectedP, long n, long got, String what) {
        double mean = expectedP * n, sd = Math.sqrt(n * expectedP * (1 - expectedP));
        assertTrue(Math.abs(got - mean) <= 5 * sd, what + ": " + got + " of " + n + ", expected " + mean + " ± " + 5 * sd);
    }

    @Test
    void fifteenPercentChosenThenEightyTenTen() {
        Masking m = Masking.bert(MASK, VOCAB);
        SplittableRandom random = new SplittableRandom(18);
        long candidates = 0, chosen = 0, masked = 0, unchanged = 0, replaced = 0;
        for (int s = 0; s < 2000; s++) {
            Sequence seq = sequence(102, s);
            Masking.Masked out = m.apply(seq, random);
            for (int i = 0; i < seq.length(); i++) {
                if (seq.special()[i]) {
                    assertEquals(CrossEntropy.IGNORE_INDEX, out.labels()[i], "special tokens are never labelled");
                    assertEquals(seq.ids()[i], out.ids()[i], "special tokens are never changed");
                    continue;
                }
                candidates++;
                if (out.labels()[i] == CrossEntropy.IGNORE_INDEX) {
                    assertEquals(seq.ids()[i], out.ids()[i], "an unchosen token is left alone");
                    continue;
                }
                chosen++;
                assertEquals(seq.ids()[i], out.labels()[i], "the label is the original token");
                if (out.ids()[i] == MASK) masked++;
                else if (out.ids()[i] == seq.ids()[i]) unchanged++;
                else replaced++;
            }
        }
        within(0.15, candidates, chosen, "chosen");
        // a random replacement draws the original token 1 time in VOCAB: it counts as unchanged
        within(0.8, chosen, masked, "[MASK]");
        within(0.1 * (1 - 1.0 / VOCAB), chosen, replaced, "random token");
        within(0.1 + 0.1 / VOCAB, chosen, unchanged, "unchanged");
    }

    @Test
    void theSameSeedGivesTheSameMasksAndAnotherSeedOthers() {
        Masking m = Masking.bert(MASK, VOCAB);
        Sequence seq = sequence(200, 1);
        Masking.Masked a = m.apply(seq, new SplittableRandom(42)), b = m.apply(seq, new SplittableRandom(42)), c = m.apply(seq, new SplittableRandom(43));
        assertArrayEquals(a.ids(), b.ids());
        assertArrayEquals(a.labels(), b.labels());
        assertFalse(Arrays.equals(a.labels(), c.labels()));
    }

    @Test
    void wholeWordMaskingChoosesEveryPieceOfAWordTogether() {
        Masking m = Masking.bert(MASK, VOCAB).withWholeWord(true);
        SplittableRandom random = new SplittableRandom(7);
        long words = 0, chosenWords = 0;
        for (int s = 0; s < 500; s++) {
            Sequence seq = sequence(101, s);
            Masking.Masked out = m.apply(seq, random);
            for (int i = 1; i < seq.length() - 1; i++) {
                if (!seq.wordStart()[i]) {
                    assertEquals(out.labels()[i - 1] != CrossEntropy.IGNORE_INDEX, out.labels()[i] != CrossEntropy.IGNORE_INDEX,
                            "a '##' piece is chosen exactly when the piece before it is (sequence " + s + ", token " + i + ")");
                } else {
                    words++;
                    if (out.labels()[i] != CrossEntropy.IGNORE_INDEX) chosenWords++;
                }
            }
        }
        within(0.15, words, chosenWords, "chosen words");
    }
}
