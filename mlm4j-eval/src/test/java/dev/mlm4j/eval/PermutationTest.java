package dev.mlm4j.eval;

import dev.mlm4j.pipelines.FromScratch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Theorem 1 measured ({@link Permutation}) on tiny BERTs made as {@code ./mlm4j train mlm --from-scratch --config tiny
 * [--no-position-embeddings]} starts them ({@link FromScratch}, seeded, the 928-piece WordPiece vocabulary of core's
 * tasks/tiny/sentiment so Brown's words are pieces, not [UNK]), on the held-out sentences of the Brown slice: without
 * position embeddings the outputs of the permuted input are the permuted outputs to float rounding; with them, not.
 * The theorem holds for any weights, so untrained ones test it as well as trained ones.
 */
class PermutationTest {
    @TempDir Path tmp;

    private static final Path VOCAB = Path.of("../mlm4j-core/src/test/resources/tasks/tiny/sentiment/vocab.txt");

    private Permutation.Report measure(boolean positions) throws Exception {
        Path model = FromScratch.write(FromScratch.PRESETS.get("tiny"), VOCAB, true, positions, 3, tmp.resolve(positions ? "pos" : "nopos"));
        return Permutation.run(CorpusReader.open(EvalTestData.brownSlice()), model.toString(), 12, 5, RunInfo.start(model.toString(), 5));
    }

    @Test
    void withoutPositionEmbeddingsTheModelIsEquivariantAndWithThemItIsNot() throws Exception {
        Permutation.Report none = measure(false), learned = measure(true);
        assertEquals("none", none.positions());
        assertEquals("absolute", learned.positions());
        assertEquals(12, none.sentences());
        assertFalse(none.causal());
        assertTrue(none.hidden().max() < 1e-5, "no positions, hidden: " + none.hidden());
        assertTrue(none.attention().max() < 1e-5, "no positions, attention: " + none.attention());
        assertTrue(learned.hidden().mean() > 1e-2, "positions, hidden: " + learned.hidden());
        assertTrue(learned.attention().mean() > 1e3 * none.attention().max(), "positions, attention: " + learned.attention() + " vs " + none.attention());
        assertTrue(none.markdown().contains("| last hidden state: max\\|h(πX) − P·h(X)\\| / max\\|h(X)\\| |"), none.markdown());
        assertEquals(none.hidden().max(), ((java.util.Map<?, ?>) none.toJson().get("last_hidden_state")).get("max"));
    }

    @Test
    void thePermutationKeepsClsAndSepInPlaceAndMovesTheRest() {
        Random r = new Random(1);
        for (int n = 5; n < 40; n++) {
            int[] p = Permutation.permutation(n, r);
            assertEquals(0, p[0]);
            assertEquals(n - 1, p[n - 1]);
            assertArrayEquals(IntStream.range(0, n).toArray(), Arrays.stream(p).sorted().toArray(), "a permutation");
        }
        int[] p = Permutation.permutation(30, new Random(2));
        assertTrue(IntStream.range(1, 29).anyMatch(i -> p[i] != i), "the word pieces move");
    }
}
