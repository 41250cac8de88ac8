package dev.mlm4j.pipelines;

import dev.mlm4j.model.TestModels;
import dev.mlm4j.pipelines.FeatureExtraction.Options;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimilarityTest {

    @Test
    void cosineOfKnownVectors() {
        assertEquals(1.0, Similarity.cosine(new float[] {1, 2, 3}, new float[] {2, 4, 6}), 1e-12);
        assertEquals(0.0, Similarity.cosine(new float[] {1, 0}, new float[] {0, 5}), 1e-12);
        assertEquals(-1.0, Similarity.cosine(new float[] {1, 1}, new float[] {-3, -3}), 1e-12);
        assertEquals(0.0, Similarity.cosine(new float[] {0, 0}, new float[] {1, 1}));
        assertThrows(IllegalArgumentException.class, () -> Similarity.cosine(new float[2], new float[3]));
    }

    @Test
    void ranksTheParaphraseFarAboveTheUnrelatedText() {
        Similarity sim = new Similarity(Models.embeddings(TestModels.folder("all-MiniLM-L6-v2").toString()));
        List<Similarity.Match> ranked = sim.rank("A man is playing a guitar.",
                List.of("The stock market fell.", "Someone plays an instrument.", "A man is playing a guitar."), Options.DEFAULT);
        assertEquals(List.of(2, 1, 0), ranked.stream().map(Similarity.Match::index).toList());
        assertEquals(1.0, ranked.get(0).score(), 1e-6, "a text is its own nearest neighbour");
        assertTrue(ranked.get(1).score() > ranked.get(2).score() + 0.3, ranked.toString());
        assertEquals("Someone plays an instrument.", ranked.get(1).text());

        List<Similarity.Pair> pairs = sim.pairs(List.of("A cat sits on the mat.", "The stock market fell.", "A kitten is lying on a rug.",
                "Shares dropped sharply today."), Options.DEFAULT);
        assertEquals(6, pairs.size());
        assertTrue(pairs.get(0).first() == 1 && pairs.get(0).second() == 3 || pairs.get(0).first() == 0 && pairs.get(0).second() == 2, pairs.toString());
        assertTrue(pairs.get(1).first() == 1 && pairs.get(1).second() == 3 || pairs.get(1).first() == 0 && pairs.get(1).second() == 2, pairs.toString());
        for (int i = 1; i < pairs.size(); i++) assertTrue(pairs.get(i - 1).score() >= pairs.get(i).score());
        assertThrows(IllegalArgumentException.class, () -> sim.pairs(List.of("one"), Options.DEFAULT));
        assertThrows(IllegalArgumentException.class, () -> sim.rank("a", List.of("b"), Options.DEFAULT.withPooling(Pooling.NONE)));
    }

    @Test
    void rankNamesTheSourceAndTheCandidateThatCannotRun() {
        Similarity sim = new Similarity(Models.embeddings(TestModels.folder("all-MiniLM-L6-v2").toString()));
        String tooLong = "word ".repeat(300);
        var e = assertThrows(IllegalArgumentException.class, () -> sim.rank("a source", List.of("fine", tooLong), Options.DEFAULT));
        assertTrue(e.getMessage().startsWith("candidate 2 is 302 tokens, over the model's working length of 256"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> sim.rank(tooLong, List.of("fine"), Options.DEFAULT));
        assertTrue(e.getMessage().startsWith("the source is 302 tokens"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> sim.rank(null, List.of("fine"), Options.DEFAULT));
        assertEquals("the source is null", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> sim.rank("a source", java.util.Arrays.asList("fine", null), Options.DEFAULT));
        assertEquals("candidate 2 is null", e.getMessage());
        // truncated, the same scores as the pipeline's own vectors
        List<Similarity.Match> ranked = sim.rank("a source", List.of(tooLong), Options.DEFAULT.withTruncate(true));
        FeatureExtraction fe = sim.embeddings();
        List<FeatureExtraction.Embedding> v = fe.extract(List.of("a source", tooLong), Options.DEFAULT.withTruncate(true));
        assertEquals(Similarity.cosine(v.get(0).vector(), v.get(1).vector()), ranked.getFirst().score(), 0.0);
    }
}
