package dev.mlm4j.pipelines;

import dev.mlm4j.model.TestModels;
import dev.mlm4j.util.ProgressListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the front ends ask of Models and AttentionExample instead of opening checkpoints or running kernels themselves. */
class FrontEndQueriesTest {

    @Test
    void aMaskedLmHeadIsSeenWithoutLoadingTheModel() {
        assertTrue(Models.hasMaskedLmHead(TestModels.folder("bert-base-uncased")));
        assertFalse(Models.hasMaskedLmHead(TestModels.folder("all-MiniLM-L6-v2")));
        IllegalArgumentException e = Models.noMaskedLmHead("m", "use it for embeddings instead");
        assertEquals("model 'm' has no masked-language-model head (no cls.predictions.* tensors): use it for embeddings instead", e.getMessage());
    }

    @Test
    void fillMaskOnATaskModelPointsToItsCommand() {
        Path tiny = Path.of("src/test/resources/tasks/tiny");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Models.fillMask(tiny.resolve("sentiment").toString())).getMessage()
                .endsWith("it is a text classifier; use classify instead"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Models.fillMask(tiny.resolve("ner").toString())).getMessage()
                .endsWith("it is a token classifier; use ner instead"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Models.fillMask(TestModels.folder("all-MiniLM-L6-v2").toString())).getMessage()
                .endsWith("it cannot fill masks; use it for embeddings instead"));
    }

    @Test
    void aFolderLooksLikeAModelByItsFilesAlone(@TempDir Path dir) throws Exception {
        assertFalse(Models.looksLikeModel(dir));
        Files.writeString(dir.resolve("config.json"), "{}");   // not read: only its presence counts
        assertTrue(Models.looksLikeModel(dir));
        assertTrue(Models.looksLikeModel(TestModels.folder("bert-base-uncased")));
        assertEquals(Path.of(System.getProperty("user.home"), "models/x"), Models.asPath("~/models/x").orElseThrow());
    }

    @Test
    void theTokenizerAloneEncodesAsThePipelineDoes() {
        var alone = Models.tokenizer("all-MiniLM-L6-v2", ProgressListener.NONE);
        var pipeline = Models.embeddings("all-MiniLM-L6-v2", ProgressListener.NONE).tokenizer();
        assertArrayEquals(pipeline.encode("A man is playing a guitar.", 512, true).ids(), alone.encode("A man is playing a guitar.", 512, true).ids());
    }

    /** The chapter prints every row of A as [0.09, 0.24, 0.67] and every h as 2.58: right for row 1 only (SeedExampleTest). */
    @Test
    void theSeedsWorkedExampleSaysWhereTheChapterIsWrong() {
        AttentionExample.Seed seed = AttentionExample.seed(false);
        assertEquals(List.of("A1", "A2", "h1", "h2"), seed.differences().stream().map(d -> d.what() + d.row()).toList());
        assertEquals(0.8668f, seed.differences().get(0).computed()[2], 1e-4f);   // softmax([2, 4, 6])[2]
        assertTrue(AttentionExample.seed(true).differences().isEmpty());
        // the same recipe on explicit matrices: X = [1; 2; 3], W = 1
        float[][] one = {{1}};
        AttentionExample.Steps steps = AttentionExample.run(AttentionExample.seedX(), one, one, one, 1, false);
        for (int i = 0; i < 3; i++) assertArrayEquals(seed.steps().probabilities()[0][i], steps.probabilities()[0][i]);
        assertThrows(IllegalArgumentException.class, () -> AttentionExample.run(AttentionExample.seedX(), one, one, one, 2, false));
    }
}
