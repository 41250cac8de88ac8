package dev.mlm4j.tokens;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** WordPieceTrainer on docs/examples/training/pretrain.txt (300 template sentences) and on hand-made counts. */
class WordPieceTrainerTest {
    private static final Path CORPUS = Path.of("..", "docs", "examples", "training", "pretrain.txt");

    @Test
    void vocabularyHasSpecialsCharactersAndTheAskedSize() throws IOException {
        List<String> v = WordPieceTrainer.train(CORPUS, 150, true);
        assertEquals(150, v.size());
        assertEquals(WordPieceTrainer.SPECIALS, v.subList(0, 5));
        assertEquals(v.size(), new java.util.HashSet<>(v).size(), "no duplicates");
        for (String c : List.of("t", "##t", "h", "##h", ".", "?", "!")) assertTrue(v.contains(c), c);
        assertFalse(v.contains("T"), "lower-cased");
        assertTrue(v.contains("the"), "the commonest word is merged whole: " + v);
        assertEquals(v, WordPieceTrainer.train(CORPUS, 150, true), "deterministic");
    }

    @Test
    void tokenizingTheTrainingTextGivesNoUnknown() throws IOException {
        Path vocab = Files.createTempFile("vocab", ".txt");
        try {
            Files.write(vocab, WordPieceTrainer.train(CORPUS, 80, true));
            WordPieceTokenizer t = WordPieceTokenizer.fromVocab(vocab, true);
            int words = 0;
            for (String line : Files.readAllLines(CORPUS)) {
                List<String> pieces = t.tokenize(line);
                assertFalse(pieces.contains("[UNK]"), line + " → " + pieces);
                words += pieces.size();
            }
            assertTrue(words > 1000);
        } finally {
            Files.delete(vocab);
        }
    }

    @Test
    void mergesTheMostFrequentPairFirst() {
        // "ab" ×5, "abc" ×2, "bc" ×1: pairs (a,##b) 7, (##b,##c) 2, (b,##c) 1 → first merge "ab", then "abc"
        List<String> v = WordPieceTrainer.train(Map.of("ab", 5, "abc", 2, "bc", 1), 5 + 5 + 2);
        assertEquals(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "##b", "##c", "a", "b", "ab", "abc"), v.subList(0, 11));
        assertEquals(12, v.size());
        assertEquals("bc", v.get(11));
        assertEquals(10, WordPieceTrainer.train(Map.of("ab", 5, "abc", 2), 50).size(), "stops when no pair is left");
    }

    @Test
    void countsWordsAfterBertsNormaliserAndPreTokenizer() {
        assertEquals(Map.of("cafe", 2, ",", 1, "ok", 1), WordPieceTrainer.countWords(List.of("Café, café", "OK"), true));
        assertThrows(IllegalArgumentException.class, () -> WordPieceTrainer.train(Map.of("a", 1), 5));
    }
}
