package dev.mlm4j.eval;

import dev.mlm4j.util.ProgressListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The probes' data preparation and a small run end to end on the slice with the real model. */
class ProbesTest {
    static EvalModel model;
    static Corpus slice;

    @BeforeAll
    static void load() {
        dev.mlm4j.pipelines.Models.resolve("bert-base-uncased", dev.mlm4j.util.ProgressListener.NONE);
        model = EvalModel.load("bert-base-uncased", ProgressListener.NONE);
        slice = CorpusReader.open(EvalTestData.brownSlice());
    }

    @Test
    void wordsAreAlignedToTheirFirstPiece() {
        Corpus.Sentence s = new Corpus.Sentence(List.of("The", "presentments", "were", "``", "over-all", "''", "."),
                List.of("at", "nns", "bed", "``", "jj", "''", "."));
        Probes.TaggedSequence t = Probes.align(model, s, 126);
        assertEquals(model.tokenizer().clsId(), t.ids()[0]);
        assertEquals(model.tokenizer().sepId(), t.ids()[t.ids().length - 1]);
        assertEquals(7, t.firstPiece().length);
        for (int w = 0; w < 7; w++) {
            String first = model.tokenizer().token(t.ids()[t.firstPiece()[w]]);
            assertFalse(first.startsWith("##"), "word " + w + " starts at a word-initial piece: " + first);
        }
        assertEquals("present", model.tokenizer().token(t.ids()[t.firstPiece()[1]]));
        assertEquals("\"", model.tokenizer().token(t.ids()[t.firstPiece()[3]]), "`` is a quote");
        assertEquals(List.of("DET", "NOUN", "VERB", ".", "ADJ", ".", "."),
                java.util.Arrays.stream(t.labels()).mapToObj(UniversalTags.TAGS::get).toList());
        // the same pieces as tokenizing the sentence in one go
        assertArrayEquals(model.withSpecials(model.pieces(s.text())), t.ids());
    }

    @Test
    void passagesAreEvenlySpreadWindows() {
        Corpus.Document d = slice.documents().getFirst();
        List<Probes.Passage> ps = Probes.passages(model, List.of(d), 3, 34);
        assertEquals(3, ps.size());
        int total = 0;
        for (Corpus.Sentence s : d.sentences()) total += model.pieces(s.text()).length;
        int windows = total / 32;
        for (Probes.Passage p : ps) {
            assertEquals(34, p.ids().length);
            assertEquals(Genre.NEWS, p.genre());
        }
        assertTrue(windows >= 3);
        assertArrayEquals(java.util.Arrays.copyOfRange(model.withSpecials(model.pieces(d.sentences().getFirst().text())), 0, 10),
                java.util.Arrays.copyOfRange(ps.getFirst().ids(), 0, 10), "the first window starts at the file's beginning");
    }

    @Test
    void smallProbesRunEndToEnd() {
        Probes.Options o = new Probes.Options(30, 15, 2, 64, SoftmaxRegression.Options.DEFAULT.withEpochs(5), 2048, 1);
        ProbeReport.Task pos = Probes.pos(slice, model, o, Meter.NONE);
        assertEquals(30, pos.trainUnits());
        assertEquals(15, pos.testUnits());
        assertEquals(List.of("majority tag (NOUN)", "word identity: the word's most frequent training tag", "embedding layer (no attention)",
                "causal mask, last layer", "bidirectional, last layer — the model's own", "control: bidirectional, training labels shuffled"),
                pos.rows().stream().map(ProbeReport.Row::features).toList());
        for (ProbeReport.Row r : pos.rows()) assertTrue(r.testAccuracy() >= 0 && r.testAccuracy() <= 1, r.toString());
        double bidirectional = pos.rows().get(4).testAccuracy(), majority = pos.rows().get(0).testAccuracy();
        assertTrue(bidirectional > majority + 0.3, "even 30 sentences teach a probe POS from BERT's states: " + bidirectional + " vs " + majority);

        ProbeReport.Task genre = Probes.genre(slice, model, o, Meter.NONE);
        assertEquals(List.of("news", "learned", "adventure"), genre.classes());
        assertEquals(3, genre.testFiles());
        assertEquals(6, genre.trainFiles());
        assertEquals(12, genre.trainUnits());
        String md = new ProbeReport(null, List.of(pos, genre)).markdown();
        assertTrue(md.contains("#### Part-of-speech tagging") && md.contains("#### Genre classification (Brown, 3 genres)"), md);
        assertTrue(md.contains("bert-base-uncased is bidirectional (a masked LM): its own features are the bidirectional ones"), md);
    }

    /** A sentence encoder has no language-model head: the probes read its hidden states all the same. */
    @Test
    void anEncoderWithoutALanguageModelHeadIsProbed() {
        String bare = java.nio.file.Path.of("..", "mlm4j-core", "src", "test", "resources", "families", "roberta-tiny-bare")
                .toAbsolutePath().normalize().toString();
        IllegalArgumentException noHead = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> EvalModel.load(bare, ProgressListener.NONE));
        assertTrue(noHead.getMessage().contains("language-model head"), noHead.getMessage());
        EvalModel encoder = EvalModel.loadEncoder(bare, ProgressListener.NONE);
        assertTrue(!encoder.hasLanguageModelHead());
        Probes.Options o = new Probes.Options(30, 15, 2, 64, SoftmaxRegression.Options.DEFAULT.withEpochs(5), 2048, 1);
        ProbeReport.Task pos = Probes.pos(slice, encoder, o, Meter.NONE);
        assertEquals(15, pos.testUnits());
        assertEquals(6, pos.rows().size());
        String md = new ProbeReport(null, List.of(pos)).markdown();
        assertTrue(md.contains("is bidirectional (an encoder without a language-model head)"), md);
        IllegalArgumentException scoring = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> encoder.logits(encoder.forward(new int[][] {encoder.withSpecials(encoder.pieces("a test"))},
                        dev.mlm4j.attention.AttentionMask.Direction.BIDIRECTIONAL, false), new int[] {1}));
        assertTrue(scoring.getMessage().contains("language-model head"), scoring.getMessage());
    }

    @Test
    void probesNeedTaggedBrown() {
        Corpus json = CorpusReader.open(EvalTestData.jsonSlice());
        var e = assertThrows(IllegalArgumentException.class, () -> Probes.pos(json, model, Probes.Options.DEFAULT, Meter.NONE));
        assertTrue(e.getMessage().contains("need the tagged Brown Corpus"), e.getMessage());
    }
}
