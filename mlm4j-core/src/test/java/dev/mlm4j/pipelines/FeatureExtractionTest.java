package dev.mlm4j.pipelines;

import dev.mlm4j.model.TestModels;
import dev.mlm4j.pipelines.FeatureExtraction.Embedding;
import dev.mlm4j.pipelines.FeatureExtraction.Options;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pipeline's own rules: defaults from the card, pooling, normalisation, lengths, batching. Numbers vs ORT: FeatureExtractionOnnxRuntimeTest. */
class FeatureExtractionTest {
    static FeatureExtraction miniLm;

    @BeforeAll
    static void load() {
        miniLm = Models.embeddings(TestModels.folder("all-MiniLM-L6-v2").toString());
    }

    @Test
    void aBatchGivesTheSameVectorsAsOneTextAtATime() {
        List<String> texts = EmbeddingTexts.varied(miniLm.tokenizer());
        Options options = Options.DEFAULT.withPooling(Pooling.NONE).withTruncate(true).withMaxLength(512);
        // Warm up first: the kernels' first, cold (interpreted/C1) pass differs from the C2-compiled ones by up to ~3e-6
        // (Vector API math such as EXP has a Java fallback and an intrinsic that disagree in the last bits). Run twice
        // on the same input, compiled code gives identical results; that JIT effect is not what this test is about.
        miniLm.extract(texts, options.withBatchTokens(1 << 20));
        List<Embedding> together = miniLm.extract(texts, options.withBatchTokens(1 << 20)); // all 60-odd texts in one pass
        double max = 0;
        for (int t = 0; t < texts.size(); t++) {
            float[][] alone = miniLm.extract(List.of(texts.get(t)), options).getFirst().tokenVectors();
            float[][] packed = together.get(t).tokenVectors();
            assertEquals(alone.length, packed.length);
            for (int i = 0; i < alone.length; i++) {
                for (int j = 0; j < alone[i].length; j++) max = Math.max(max, Math.abs(alone[i][j] - packed[i][j]));
            }
        }
        System.out.printf(Locale.ROOT, "batch of %d texts vs one at a time: max |diff| %.3g%n", texts.size(), max);
        assertTrue(max <= 1e-6, "batched vectors differ from one-at-a-time by " + max);
    }

    @Test
    void resultsComeInInputOrderWhateverTheBatchSize() {
        List<String> texts = List.of("first", "a second, longer text with more words in it", "third", "", "fifth one");
        List<float[]> reference = miniLm.embed(texts);
        for (int budget : new int[] {1, 8, 20, 1000}) {
            List<Embedding> got = miniLm.extract(texts, Options.DEFAULT.withBatchTokens(budget));
            for (int i = 0; i < texts.size(); i++) {
                assertEquals(i, got.get(i).index());
                assertEquals(texts.get(i), got.get(i).text());
                assertTrue(Similarity.cosine(reference.get(i), got.get(i).vector()) > 0.999999, "budget " + budget + " text " + i);
            }
        }
    }

    @Test
    void defaultsComeFromTheCard() {
        assertEquals(Pooling.MEAN, miniLm.defaultPooling());
        assertTrue(miniLm.defaultNormalize());
        assertEquals(256, miniLm.maxLength(), "sentence-transformers' max_seq_length, not tokenizer.json's 128");
        assertEquals(512, miniLm.maxTokens());
        assertEquals(384, miniLm.dimension());
        float[] v = miniLm.embed("A man is playing a guitar.");
        assertEquals(384, v.length);
        assertEquals(1.0, FeatureExtractionOnnxRuntimeTest.norm(v), 1e-6);
    }

    @Test
    void meanAndClsPoolTheTokenVectors() {
        String text = "The quick brown fox jumps over the lazy dog.";
        Options raw = Options.DEFAULT.withNormalize(false);
        Embedding tokens = miniLm.extract(List.of(text), raw.withPooling(Pooling.NONE)).getFirst();
        assertNull(tokens.vector());
        assertEquals("[CLS]", tokens.tokens()[0]);
        assertEquals("[SEP]", tokens.tokens()[tokens.tokens().length - 1]);
        float[][] h = tokens.tokenVectors();
        assertEquals(tokens.encoding().length(), h.length);
        float[] mean = miniLm.extract(List.of(text), raw.withPooling(Pooling.MEAN)).getFirst().vector();
        float[] cls = miniLm.extract(List.of(text), raw.withPooling(Pooling.CLS)).getFirst().vector();
        assertNull(miniLm.extract(List.of(text), raw).getFirst().tokenVectors());
        assertArrayEquals(h[0], cls);
        for (int j = 0; j < mean.length; j++) {
            double s = 0;
            for (float[] row : h) s += row[j];
            assertEquals(s / h.length, mean[j], 1e-6);
        }
        float[] normalized = miniLm.extract(List.of(text), Options.DEFAULT).getFirst().vector();
        double n = FeatureExtractionOnnxRuntimeTest.norm(mean);
        assertTrue(Math.abs(n - 1) > 0.1, "MiniLM's raw mean is not unit length: " + n);
        for (int j = 0; j < mean.length; j++) assertEquals(mean[j] / n, normalized[j], 1e-6);
        float[][] unitTokens = miniLm.extract(List.of(text), Options.DEFAULT.withPooling(Pooling.NONE).withNormalize(true)).getFirst().tokenVectors();
        for (float[] row : unitTokens) assertEquals(1.0, FeatureExtractionOnnxRuntimeTest.norm(row), 1e-6);
    }

    @Test
    void tooLongIsAnErrorUnlessTruncating() {
        String words = "word ".repeat(600);   // 602 tokens with [CLS] and [SEP]
        List<String> texts = List.of("short", words);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> miniLm.extract(texts, Options.DEFAULT));
        assertEquals("text 2 is 602 tokens, over the model's maximum of 512; turn truncation on to keep its first 256", e.getMessage());
        Embedding cut = miniLm.extract(texts, Options.DEFAULT.withTruncate(true)).get(1);
        assertTrue(cut.truncated());
        assertEquals(256, cut.encoding().length(), "--truncate cuts at the card's working length");
        assertEquals("[SEP]", cut.tokens()[255]);

        // 300 tokens: over the working length (sentence-transformers' max_seq_length, 256), within the position table.
        // Refused, not run whole: sentence-transformers would cut it at 256, so a whole-text vector is one it never gives.
        String medium = "word ".repeat(298);
        e = assertThrows(IllegalArgumentException.class, () -> miniLm.extract(List.of(medium), Options.DEFAULT));
        assertEquals("text 1 is 300 tokens, over the model's working length of 256 (a max length of up to 512 would run it whole);"
                + " turn truncation on to keep its first 256", e.getMessage());
        Embedding whole = miniLm.extract(List.of(medium), Options.DEFAULT.withMaxLength(512)).getFirst();
        assertEquals(300, whole.encoding().length(), "an explicit max length up to the position table runs it whole");
        assertFalse(whole.truncated());
        Embedding atWorking = miniLm.extract(List.of(medium), Options.DEFAULT.withTruncate(true)).getFirst();
        assertEquals(256, atWorking.encoding().length());

        e = assertThrows(IllegalArgumentException.class, () -> miniLm.extract(List.of(medium), Options.DEFAULT.withMaxLength(100)));
        assertEquals("text 1 is 300 tokens, over the maximum of 100; turn truncation on to keep its first 100", e.getMessage());
        assertEquals(100, miniLm.extract(List.of(medium), Options.DEFAULT.withMaxLength(100).withTruncate(true)).getFirst().encoding().length());
        e = assertThrows(IllegalArgumentException.class, () -> miniLm.extract(List.of("x"), Options.DEFAULT.withMaxLength(513)));
        assertEquals("max length 513 is over the model's maximum of 512 tokens (its position table)", e.getMessage());
    }

    @Test
    void aLongTextFailsBeforeAnythingIsRun() {
        List<Embedding> seen = new ArrayList<>();
        List<String> texts = List.of("fine", "also fine", "word ".repeat(600));
        assertThrows(IllegalArgumentException.class, () -> miniLm.extract(texts, Options.DEFAULT));
        // the streaming form stops at the long text, after handing over the batches finished before it ("fine": 3 tokens;
        // "also fine" is still waiting for its batch to fill)
        assertThrows(IllegalArgumentException.class, () -> miniLm.extract(texts.iterator(), Options.DEFAULT.withBatchTokens(4), seen::add));
        assertEquals(List.of("fine"), seen.stream().map(Embedding::text).toList());
    }

    @Test
    void badInputsAreClearErrors() {
        List<String> withNull = Arrays.asList("ok", null);
        assertEquals("text 2 is null", assertThrows(IllegalArgumentException.class, () -> miniLm.extract(withNull, Options.DEFAULT)).getMessage());
        assertEquals("unknown pooling 'max': expected mean, cls or none", assertThrows(IllegalArgumentException.class, () -> Pooling.parse("max")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Options.DEFAULT.withMaxLength(1));
        assertThrows(IllegalArgumentException.class, () -> Options.DEFAULT.withBatchTokens(-1));
        assertEquals(List.of(), miniLm.extract(List.of(), Options.DEFAULT));
    }

    @Test
    void bgePoolsClsAndBertBasePoolsMeanWithoutNormalising() {
        FeatureExtraction bge = Models.embeddings(TestModels.folder("bge-small-en-v1.5").toString());
        assertEquals(Pooling.CLS, bge.defaultPooling());
        assertEquals(512, bge.maxLength());
        FeatureExtraction bert = Models.embeddings(TestModels.folder("bert-base-uncased").toString());
        assertEquals(Pooling.MEAN, bert.defaultPooling(), "no embeddings card: mean");
        assertFalse(bert.defaultNormalize(), "no embeddings card: not normalised");
        assertEquals(768, bert.dimension());
        float[] v = bert.embed("Paris is the capital of France.");
        assertEquals(768, v.length);
        assertTrue(Math.abs(FeatureExtractionOnnxRuntimeTest.norm(v) - 1) > 0.5);
    }
}
