package dev.mlm4j.kernels;

import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.FillMask;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.tensor.FloatTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link ColdKernels}' scalar twins give the vector kernels' floats bit for bit ({@code assertArrayEquals} on float
 * arrays compares bit patterns): LayerNorm, GELU alone and in the GEMM's epilogue, and attention against
 * {@link FlashAttention} for one key tile and several, every mask, head sizes that are and are not multiples of the
 * species. Runs at every species the build tests (scripts/test-species: 128, 256 and 512 bits), each twin emulating that
 * species' lanes. Then end to end: a model's answers with the twins and without them.
 */
@Isolated("sets the process-wide cold budgets")
class ColdKernelsTest {

    @ParameterizedTest(name = "rows={0} n={1}")
    @CsvSource({"1, 1", "3, 5", "2, 15", "4, 16", "9, 35", "5, 390", "9, 768", "2, 1024"})
    void layerNormIsTheVectorFormBitForBit(int rows, int n) {
        Random r = new Random(rows * 1000 + n);
        FloatTensor wide = KernelsTest.random(r, rows, n + 7), g = KernelsTest.random(r, n), b = KernelsTest.random(r, n);
        for (int i = 0; i < wide.data().length; i++) wide.data()[i] = wide.data()[i] * 3f + 1.5f;   // a mean and a spread
        FloatTensor cold = wide.copy().columns(3, n), vector = wide.copy().columns(3, n);       // rows with a stride
        ColdKernels.layerNorm(cold, g, b, 1e-12f);
        VectorKernels.layerNormVector(vector, g, b, 1e-12f);
        assertArrayEquals(vector.data(), cold.data());
    }

    @ParameterizedTest(name = "rows={0} n={1}")
    @CsvSource({"1, 1", "1, 17", "3, 16", "9, 3072", "4, 37"})
    void geluIsTheVectorFormBitForBit(int rows, int n) {
        Random r = new Random(rows * 7 + n);
        FloatTensor x = KernelsTest.random(r, rows, n);
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) d[i] *= 4f;                      // past erf's clamp at ±4 after the 1/√2
        if (d.length > 4) {
            d[0] = 0f;
            d[1] = -0f;
            d[2] = 1e30f;
            d[3] = -1e30f;
        }
        FloatTensor cold = FloatTensor.zeros(rows, n), vector = FloatTensor.zeros(rows, n);
        ColdKernels.geluRows(x, cold);
        VectorKernels.geluRowsVector(x, vector);
        assertArrayEquals(vector.data(), cold.data());
        float[] tile = d.clone();                                          // the GEMM epilogue's in-place tile form
        ColdKernels.geluTile(tile, 0, n, rows, n);
        assertArrayEquals(vector.data(), tile);
        FloatTensor inPlace = x.copy();                                    // out == x, as gelu(x) calls it
        ColdKernels.geluRows(inPlace, inPlace);
        assertArrayEquals(vector.data(), inPlace.data());
    }

    @ParameterizedTest(name = "n={0} m={1} dk={2} dv={3}")
    @CsvSource({"1, 1, 32, 32", "3, 3, 32, 32", "9, 9, 64, 64", "17, 17, 64, 64", "8, 40, 32, 32", "40, 8, 32, 32",
            "128, 128, 32, 32", "255, 255, 64, 64", "257, 257, 32, 32", "600, 600, 64, 64", "33, 33, 24, 40", "45, 45, 7, 5"})
    void attentionIsFlashAttentionBitForBit(int n, int m, int dk, int dv) {
        Random r = new Random(n * 31 + m * 7 + dk);
        FloatTensor q = KernelsTest.random(r, n, dk + 3).columns(1, dk);   // column views, as heads of the fused QKV
        FloatTensor k = KernelsTest.random(r, m, dk + 2).columns(2, dk), v = KernelsTest.random(r, m, dv + 1).columns(1, dv);
        for (FloatTensor t : List.of(q, k)) for (int i = 0; i < t.data().length; i++) t.data()[i] *= 2f;
        boolean[] valid = new boolean[m];
        for (int j = 0; j < m; j++) valid[j] = j % 7 != 3 && j < m - m / 5;
        valid[0] = true;
        float scale = (float) (1.0 / Math.sqrt(dk));
        for (boolean causal : new boolean[] {false, true}) {
            for (int window : new int[] {-1, 0, 5, 64, 200}) {                   // sliding windows: half-widths, -1 none
                for (boolean[] mask : new boolean[][] {null, valid, new boolean[m]}) {        // the last masks every key
                    FloatTensor cold = FloatTensor.zeros(n, dv), vector = FloatTensor.zeros(n, dv);
                    ColdKernels.attend(q, k, v, causal, window, mask, scale, cold);
                    FlashAttention.attend(q, k, v, causal, window, mask, scale, vector);
                    assertArrayEquals(vector.data(), cold.data(), (causal ? "causal" : "bidirectional") + " window " + window
                            + (mask == null ? "" : " + mask"));
                }
            }
        }
    }

    @Test
    void largeScoresRescaleAlikeAcrossKeyTiles() {
        Random r = new Random(5);
        int n = 300, d = 32;                                                 // two key tiles of 256: the online rescaling
        FloatTensor q = KernelsTest.random(r, n, d), k = KernelsTest.random(r, n, d), v = KernelsTest.random(r, n, d);
        for (int i = 0; i < n * d; i++) q.data()[i] *= 40f;                // scores in the hundreds, exp's clamps reached
        FloatTensor cold = FloatTensor.zeros(n, d), vector = FloatTensor.zeros(n, d);
        ColdKernels.attend(q, k, v, false, -1, null, 0.2f, cold);
        FlashAttention.attend(q, k, v, false, null, 0.2f, vector);
        assertArrayEquals(vector.data(), cold.data());
    }

    @Test
    void aBudgetRunsTheTwinUntilItsWorkIsSpentThenNeverAgain() {
        ColdKernels.Budget b = new ColdKernels.Budget(10);
        assertFalse(b.take(11), "a call larger than the whole budget runs the vector form");
        assertTrue(b.take(4), "...and leaves the budget as it was");
        assertTrue(b.take(4));
        assertTrue(b.take(4), "the call that overdraws the budget still runs cold");
        assertFalse(b.take(1));
        assertFalse(b.take(0));
    }

    /** A model's answers are the same floats whichever path each kernel takes. */
    @Test
    void aModelAnswersTheSameWithTheTwinsAsWithoutThem() throws Exception {
        String tiny = Path.of(ColdKernelsTest.class.getResource("/fixtures/hf-tiny-bert").toURI()).toString();
        FillMask fm = Models.fillMask(tiny);
        FeatureExtraction fe = Models.embeddings(tiny);
        List<String> texts = List.of("the cat sat on the [MASK] .", "a [MASK] of tea and a [MASK] of cake", "[MASK]");
        List<String> plain = List.of("the cat sat on the mat .", "one two three four five six seven eight nine ten eleven");
        try {
            budgets(Long.MAX_VALUE);
            List<List<FillMask.MaskResult>> cold = fm.fill(texts, FillMask.Options.DEFAULT);
            List<float[]> coldEmbeddings = fe.embed(plain);
            budgets(0);
            assertEquals(fm.fill(texts, FillMask.Options.DEFAULT), cold);
            List<float[]> vector = fe.embed(plain);
            for (int i = 0; i < plain.size(); i++) assertArrayEquals(vector.get(i), coldEmbeddings.get(i), plain.get(i));
        } finally {
            budgets(0);
        }
    }

    private static void budgets(long elements) {
        ColdKernels.LAYER_NORM.reset(elements);
        ColdKernels.GELU.reset(elements);
        ColdKernels.ATTENTION.reset(elements);
    }
}
