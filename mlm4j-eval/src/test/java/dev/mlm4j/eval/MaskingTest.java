package dev.mlm4j.eval;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/** Masked positions: 15 % of the pieces, reproducible from the seed, independent of the rest of the run. */
class MaskingTest {

    @Test
    void fifteenPercentAtLeastOne() {
        assertEquals(3, Masking.count(20, 0.15));
        assertEquals(2, Masking.count(10, 0.15));
        assertEquals(1, Masking.count(3, 0.15));
        assertEquals(1, Masking.count(1, 0.15));
        assertEquals(15, Masking.count(100, 0.15));
        assertThrows(IllegalArgumentException.class, () -> Masking.count(10, 0));
        assertThrows(IllegalArgumentException.class, () -> Masking.count(10, 1.5));
    }

    @Test
    void sameSeedSamePositionsDifferentSeedDifferent() {
        int differentSeed = 0, differentKey = 0;
        for (int key = 0; key < 50; key++) {
            int[] a = Masking.positions(40, 0.15, 7, key);
            assertArrayEquals(a, Masking.positions(40, 0.15, 7, key), "same seed, same sentence → same positions");
            assertEquals(6, a.length);
            for (int i = 0; i < a.length; i++) {
                assertTrue(a[i] >= 0 && a[i] < 40);
                if (i > 0) assertTrue(a[i] > a[i - 1], "ascending and distinct: " + Arrays.toString(a));
            }
            if (!Arrays.equals(a, Masking.positions(40, 0.15, 8, key))) differentSeed++;
            if (!Arrays.equals(a, Masking.positions(40, 0.15, 7, key + 1))) differentKey++;
        }
        assertEquals(50, differentSeed, "another seed draws other positions");
        assertEquals(50, differentKey, "another sentence draws other positions");
    }

    @Test
    void everyPositionIsEquallyLikely() {
        int n = 20, trials = 20_000;
        int[] hits = new int[n];
        for (int k = 0; k < trials; k++) for (int p : Masking.positions(n, 0.15, 1, k)) hits[p]++;
        double expected = trials * 3.0 / n;                      // 3 of 20 per sentence
        for (int p = 0; p < n; p++) {
            assertEquals(expected, hits[p], 5 * Math.sqrt(expected), "position " + p + ": " + Arrays.toString(hits));
        }
    }

    @Test
    void theSentencesAndMasksOfARunAreReproducible() {
        Corpus c = CorpusReader.open(EvalTestData.brownSlice());
        Function<String, int[]> pieces = text -> Arrays.stream(text.split(" ")).mapToInt(String::hashCode).toArray();
        MlmEvaluation.Options o = new MlmEvaluation.Options(40, 0.15, 3, List.of(MlmEvaluation.Condition.BIDIRECTIONAL), 1000, 8, 126);
        List<MlmEvaluation.Item> a = MlmEvaluation.prepare(c.documents(), pieces, 101, 102, o);
        List<MlmEvaluation.Item> b = MlmEvaluation.prepare(c.documents(), pieces, 101, 102, o);
        assertEquals(40, a.size());
        assertEquals(describe(a), describe(b), "same seed → same sentences and positions");
        MlmEvaluation.Options other = new MlmEvaluation.Options(40, 0.15, 4, o.conditions(), 1000, 8, 126);
        assertNotEquals(describe(a), describe(MlmEvaluation.prepare(c.documents(), pieces, 101, 102, other)), "another seed → another draw");

        // A sentence's masks do not depend on which other documents are in the run.
        List<MlmEvaluation.Item> all = MlmEvaluation.prepare(c.documents(), pieces, 101, 102,
                new MlmEvaluation.Options(100_000, 0.15, 3, o.conditions(), 1000, 8, 126));
        List<MlmEvaluation.Item> one = MlmEvaluation.prepare(c.documents().subList(4, 5), pieces, 101, 102,
                new MlmEvaluation.Options(100_000, 0.15, 3, o.conditions(), 1000, 8, 126));
        for (MlmEvaluation.Item it : one) {
            MlmEvaluation.Item same = all.stream().filter(x -> x.document().equals(it.document()) && x.index() == it.index()).findFirst().orElseThrow();
            assertArrayEquals(same.masked(), it.masked());
        }
    }

    static List<String> describe(List<MlmEvaluation.Item> items) {
        return items.stream().map(i -> i.document() + "#" + i.index() + Arrays.toString(i.masked())).toList();
    }
}
