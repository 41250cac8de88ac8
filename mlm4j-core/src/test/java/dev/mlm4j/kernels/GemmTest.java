package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** {@link Gemm#linear} against a double-precision reference of y = epilogue(x · Wᵀ + b). */
class GemmTest {

    static FloatTensor random(Random r, int... shape) {
        FloatTensor t = FloatTensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return t;
    }

    /**
     * Checks every element against the reference, in double: |got − ref| ≤ tol · max(|ref|, norm), where
     * norm = √(Σ_p (x_p·w_p)² + b² + res²) is the natural size of that output (so an output that
     * cancels to near zero is judged against the size of what was summed). Names the first mismatch.
     */
    static void assertLinear(String what, FloatTensor x, FloatTensor w, FloatTensor bias, Epilogue e, FloatTensor residual, FloatTensor got, double tol) {
        int n = x.dim(0), k = x.dim(1), m = w.dim(0);
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < m; o++) {
                double s = 0, norm = 0;
                for (int p = 0; p < k; p++) {
                    double t = (double) x.at(i, p) * w.at(o, p);
                    s += t;
                    norm += t * t;
                }
                if (bias != null) {
                    s += bias.get(o);
                    norm += (double) bias.get(o) * bias.get(o);
                }
                if (e == Epilogue.BIAS_RESIDUAL) {
                    s += residual.at(i, o);
                    norm += (double) residual.at(i, o) * residual.at(i, o);
                }
                if (e == Epilogue.BIAS_GELU) s = ScalarKernels.gelu(s);
                double ref = s, g = got.at(i, o);
                double scale = Math.max(Math.abs(ref), Math.sqrt(norm));
                if (!(Math.abs(g - ref) <= tol * scale) && !(scale == 0 && g == 0)) {
                    fail(what + ": first mismatch at (row " + i + ", col " + o + "): expected " + ref + ", got " + g
                            + " (relative error " + Math.abs(g - ref) / scale + ")");
                }
            }
        }
    }

    static Stream<Arguments> shapes() {
        Stream.Builder<Arguments> b = Stream.builder();
        int[] ns = {1, 3, 17, 64, 383};
        int[] ins = {1, 3, 17, 64, 383, 768};
        int[] outs = {1, 3, 17, 64, 383, 384, 768};
        for (int n : ns) for (int in : ins) for (int out : outs) {
            if ((long) n * in * out <= 17L * 768 * 768) b.add(Arguments.of(n, in, out));
        }
        // the BERT shapes that matter, at small n; k long enough to take several k blocks; and rows
        // enough, with outputs wide enough, that those k blocks run in several row sub-blocks
        for (int[] s : new int[][] {{1, 768, 3072}, {16, 384, 1536}, {3, 3072, 768}, {17, 1536, 384}, {64, 384, 384},
                {384, 384, 64}, {128, 768, 768}, {5, 3072, 17}, {100, 2048, 1000},
                // outputs wider than one column block of the blocked path: the row block's copy kept across them
                {512, 384, 1536}, {300, 700, 1100}}) {
            b.add(Arguments.of(s[0], s[1], s[2]));
        }
        return b.build();
    }

    @ParameterizedTest(name = "n={0} in={1} out={2}")
    @MethodSource("shapes")
    void matchesReferenceOnEveryEpilogue(int n, int in, int out) {
        Random r = new Random(1_000_003L * n + 1009L * in + out);
        FloatTensor x = random(r, n, in), w = random(r, out, in), bias = random(r, out), res = random(r, n, out);
        PackedMatrix pw = PackedMatrix.pack(w);
        for (Epilogue e : Epilogue.values()) {
            FloatTensor b = e == Epilogue.NONE ? null : bias;
            FloatTensor rr = e == Epilogue.BIAS_RESIDUAL ? res : null;
            FloatTensor y = FloatTensor.zeros(n, out);
            Gemm.linear(x, pw, b, e, rr, y);
            assertLinear(e + " " + n + "×" + in + "×" + out, x, w, b, e, rr, y, 1e-4);
        }
    }

    @ParameterizedTest
    @EnumSource(Epilogue.class)
    void stridedViewsForXOutAndResidual(Epilogue e) {
        Random r = new Random(e.ordinal());
        int n = 19, in = 70, out = 45;
        FloatTensor xWide = random(r, n + 2, in + 11), outWide = random(r, n + 3, out + 7), resWide = random(r, n + 1, out + 40);
        FloatTensor x = xWide.slice(1, n).columns(5, in);          // row stride in + 11, offset
        FloatTensor y = outWide.slice(2, n).columns(3, out);       // row stride out + 7
        FloatTensor res = e == Epilogue.BIAS_RESIDUAL ? resWide.slice(1, n).columns(33, out) : null;
        FloatTensor w = random(r, out, in), bias = e == Epilogue.NONE ? null : random(r, out);
        FloatTensor before = outWide.copy();
        Gemm.linear(x, PackedMatrix.pack(w), bias, e, res, y);
        assertLinear("strided " + e, x, w, bias, e, res, y, 1e-4);
        assertUntouchedOutside(before, outWide, 2, n, 3, out);
    }

    /** Every element of {@code wide} outside rows [r0, r0 + rows) × columns [c0, c0 + cols) still equals {@code before}'s. */
    private static void assertUntouchedOutside(FloatTensor before, FloatTensor wide, int r0, int rows, int c0, int cols) {
        for (int i = 0; i < wide.dim(0); i++) for (int j = 0; j < wide.dim(1); j++) {
            boolean inside = i >= r0 && i < r0 + rows && j >= c0 && j < c0 + cols;
            if (!inside) assertEquals(before.at(i, j), wide.at(i, j), "outside the view at (" + i + ", " + j + ")");
        }
    }

    @Test
    void nullBiasIsZeroForEveryBiasEpilogue() {
        Random r = new Random(5);
        FloatTensor x = random(r, 9, 40), w = random(r, 50, 40), res = random(r, 9, 50);
        PackedMatrix pw = PackedMatrix.pack(w);
        for (Epilogue e : new Epilogue[] {Epilogue.BIAS, Epilogue.BIAS_GELU, Epilogue.BIAS_RESIDUAL}) {
            FloatTensor rr = e == Epilogue.BIAS_RESIDUAL ? res : null;
            FloatTensor y = FloatTensor.zeros(9, 50);
            Gemm.linear(x, pw, null, e, rr, y);
            assertLinear("null bias " + e, x, w, null, e, rr, y, 1e-4);
        }
    }

    @Test
    void residualMayBeTheOutputItself() {
        Random r = new Random(6);
        int n = 13, in = 3072, out = 100;                 // k long enough for several k blocks
        FloatTensor x = random(r, n, in), w = random(r, out, in), bias = random(r, out), h = random(r, n, out);
        FloatTensor residual = h.copy();
        Gemm.linear(x, PackedMatrix.pack(w), bias, Epilogue.BIAS_RESIDUAL, h, h);
        assertLinear("in-place residual", x, w, bias, Epilogue.BIAS_RESIDUAL, residual, h, 1e-4);
    }

    @Test
    void oneAndTwoThreadsGiveBitIdenticalResults() {
        Random r = new Random(7);
        // {70, 2100, 2000}: W over LARGE_W_FLOATS, split by columns on two threads
        for (int[] s : new int[][] {{1, 768, 3072}, {16, 384, 384}, {128, 768, 768}, {77, 1536, 383}, {300, 64, 1000}, {70, 2100, 2000}}) {
            FloatTensor x = random(r, s[0], s[1]), w = random(r, s[2], s[1]), bias = random(r, s[2]);
            PackedMatrix pw = PackedMatrix.pack(w);
            FloatTensor one = FloatTensor.zeros(s[0], s[2]), two = FloatTensor.zeros(s[0], s[2]), dflt = FloatTensor.zeros(s[0], s[2]);
            Gemm.linear(x, pw, bias, Epilogue.BIAS_GELU, null, one, 1);
            Gemm.linear(x, pw, bias, Epilogue.BIAS_GELU, null, two, 2);
            Gemm.linear(x, pw, bias, Epilogue.BIAS_GELU, null, dflt);
            // one task over all rows: row sub-blocks (x slice ≤ 256 KB) that the split over threads may not need
            assertLinear("1 thread " + s[0] + "×" + s[1] + "×" + s[2], x, w, bias, Epilogue.BIAS_GELU, null, one, 1e-4);
            assertArrayEquals(one.data(), two.data(), "1 vs 2 threads at " + s[0] + "×" + s[1] + "×" + s[2]);
            assertArrayEquals(one.data(), dflt.data(), "1 vs default threads at " + s[0] + "×" + s[1] + "×" + s[2]);
        }
    }

    @Test
    void scalarReferenceGivesBitIdenticalResults() {
        Random r = new Random(10);
        for (int[] s : new int[][] {{1, 100, 70}, {17, 1536, 64}, {40, 33, 300}}) {
            FloatTensor x = random(r, s[0], s[1]), w = random(r, s[2], s[1]), bias = random(r, s[2]), res = random(r, s[0], s[2]);
            PackedMatrix pw = PackedMatrix.pack(w);
            for (Epilogue e : Epilogue.values()) {
                FloatTensor b = e == Epilogue.NONE ? null : bias, rr = e.residual() ? res : null;
                FloatTensor vec = FloatTensor.zeros(s[0], s[2]), sca = FloatTensor.zeros(s[0], s[2]);
                Gemm.linear(x, pw, b, e, rr, vec, 2);
                new ScalarKernels().linear(x, pw, b, e, rr, sca);
                assertLinear("scalar reference " + e, x, w, b, e, rr, sca, 1e-4);
                assertArrayEquals(sca.data(), vec.data(), "Gemm vs the scalar reference, " + e + " at " + s[0] + "×" + s[1] + "×" + s[2]);
            }
        }
    }

    @Test
    void eachRowIsBitIdenticalAloneOrInABatch() {
        Random r = new Random(9);
        int in = 1536, out = 200;                        // k blocks, an edge panel
        FloatTensor x = random(r, 29, in), w = random(r, out, in), bias = random(r, out);
        PackedMatrix pw = PackedMatrix.pack(w);
        FloatTensor batch = FloatTensor.zeros(29, out);
        Gemm.linear(x, pw, bias, Epilogue.BIAS_GELU, null, batch);
        for (int from : new int[] {0, 5, 11, 28}) {
            for (int rows : new int[] {1, 2, 7}) {
                if (from + rows > 29) continue;
                FloatTensor part = FloatTensor.zeros(rows, out);
                Gemm.linear(x.slice(from, rows), pw, bias, Epilogue.BIAS_GELU, null, part);
                assertArrayEquals(batch.slice(from, rows).toArray(), part.toArray(), "rows " + from + "+" + rows);
            }
        }
    }

    @Test
    void theBlockedPathIsBitIdenticalToTheReferenceOnStridedViewsAndToRowsAlone() {
        // One task of ≥ MIN_BLOCKED_ROWS rows (one thread), which takes the blocked path with 512-bit vectors: x copied a k block at a time, several k blocks (700 > KC_L1),
        // several column blocks and an edge panel (1100 outputs); strided x and out views, the residual the output itself.
        // Rows computed alone take the few-rows path: their bits must not depend on which path the batch took.
        Random r = new Random(11);
        int n = 150, in = 700, out = 1100;
        assertTrue(n >= Gemm.MIN_BLOCKED_ROWS && in > Gemm.KC_L1);
        FloatTensor w = random(r, out, in);
        PackedMatrix pw = PackedMatrix.pack(w);
        FloatTensor xWide = random(r, n + 2, in + 11), x = xWide.slice(1, n).columns(5, in);
        for (Epilogue e : Epilogue.values()) {
            FloatTensor bias = e == Epilogue.NONE ? null : random(r, out);
            FloatTensor outWide = random(r, n + 3, out + 7), y = outWide.slice(2, n).columns(3, out);
            FloatTensor before = outWide.copy(), residual = e.residual() ? y.copy() : null;
            Gemm.linear(x, pw, bias, e, e.residual() ? y : null, y, 1);
            FloatTensor reference = FloatTensor.zeros(n, out);
            new ScalarKernels().linear(x, pw, bias, e, residual, reference);
            assertLinear("blocked " + e, x, w, bias, e, residual, reference, 1e-4);
            assertArrayEquals(reference.toArray(), y.toArray(), "blocked path vs the scalar reference, " + e);
            assertUntouchedOutside(before, outWide, 2, n, 3, out);
            FloatTensor two = FloatTensor.zeros(n, out);
            Gemm.linear(x, pw, bias, e, residual, two, 2);
            assertArrayEquals(reference.toArray(), two.toArray(), "2 threads, " + e);
            for (int from : new int[] {0, 61, 149}) {
                FloatTensor part = FloatTensor.zeros(1, out);
                Gemm.linear(x.slice(from, 1), pw, bias, e, residual == null ? null : residual.slice(from, 1), part, 1);
                assertArrayEquals(reference.slice(from, 1).toArray(), part.toArray(), "row " + from + " alone, " + e);
            }
        }
    }

    @Test
    void largeWeightsAreSplitToStreamTheFewestFloats() {
        assertTrue(2100L * 2000 > Gemm.LARGE_W_FLOATS);
        // MiniLM's tied decoder: the logits (x 614 × 384, W 30,522 × 384) want one row task, so W streams once;
        // dx (x 614 × 30,522 through W 384 × 30,522) four: 4 W + 2 x beats 1 W + 8 x and 8 W + 1 x
        assertEquals(1, Gemm.fewestStreams(8, 30522L * 384, 614L * 384));
        assertEquals(4, Gemm.fewestStreams(8, 30522L * 384, 614L * 30522));
        assertEquals(1, Gemm.fewestStreams(1, 30522L * 384, 614L * 30522));
    }

    @Test
    void geluEpilogueUsesTheVectorKernelsErf() {
        // GELU fused into the GEMM gives exactly what the separate bias-then-gelu kernels give
        Random r = new Random(8);
        FloatTensor x = random(r, 7, 33), w = random(r, 90, 33), bias = random(r, 90);
        PackedMatrix pw = PackedMatrix.pack(w);
        FloatTensor fused = FloatTensor.zeros(7, 90), split = FloatTensor.zeros(7, 90);
        Gemm.linear(x, pw, bias, Epilogue.BIAS_GELU, null, fused);
        Gemm.linear(x, pw, bias, Epilogue.BIAS, null, split);
        new VectorKernels().gelu(split);
        assertArrayEquals(split.data(), fused.data());
    }

    @Test
    void zeroInputsGiveBiasPlusResidual() {
        FloatTensor x = FloatTensor.zeros(3, 0), bias = FloatTensor.wrap(new float[] {1, 2}, 2), res = FloatTensor.wrap(new float[] {1, 1, 1, 1, 1, 1}, 3, 2);
        FloatTensor y = FloatTensor.zeros(3, 2);
        Gemm.linear(x, PackedMatrix.pack(FloatTensor.zeros(2, 0)), bias, Epilogue.BIAS_RESIDUAL, res, y);
        assertArrayEquals(new float[] {2, 3, 2, 3, 2, 3}, y.data());
    }

    @Test
    void rejectsMismatchesLoudly() {
        PackedMatrix w = PackedMatrix.pack(FloatTensor.zeros(4, 3));
        var ex = assertThrows(IllegalArgumentException.class,
                () -> Gemm.linear(FloatTensor.zeros(2, 5), w, null, Epilogue.NONE, null, FloatTensor.zeros(2, 4)));
        assertTrue(ex.getMessage().contains("5 features, weight takes 3"), ex.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.linear(FloatTensor.zeros(2, 3), w, null, Epilogue.NONE, null, FloatTensor.zeros(2, 5)));
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.linear(FloatTensor.zeros(2, 3), w, FloatTensor.zeros(4), Epilogue.NONE, null, FloatTensor.zeros(2, 4)));
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.linear(FloatTensor.zeros(2, 3), w, FloatTensor.zeros(5), Epilogue.BIAS, null, FloatTensor.zeros(2, 4)));
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.linear(FloatTensor.zeros(2, 3), w, null, Epilogue.BIAS_RESIDUAL, null, FloatTensor.zeros(2, 4)));
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.linear(FloatTensor.zeros(2, 3), w, null, Epilogue.BIAS, FloatTensor.zeros(2, 4), FloatTensor.zeros(2, 4)));
        FloatTensor shared = FloatTensor.zeros(2, 8);
        ex = assertThrows(IllegalArgumentException.class,
                () -> Gemm.linear(shared.columns(0, 3), w, null, Epilogue.NONE, null, shared.columns(2, 4)));
        assertTrue(ex.getMessage().contains("overlaps"), ex.getMessage());
    }

    @Test
    void tilesCompiledAheadAreEveryTileTheGemmChooses() {
        // the tiles a product of 1 … 4·MR rows is cut into, row block by row block, as Gemm cuts it
        java.util.Set<Integer> chosen = new java.util.TreeSet<>();
        for (int m = 1; m <= 4 * Gemm.MR; m++) {
            for (int left = m; left > 0; ) {
                int rows = Gemm.tileRows(left);
                chosen.add(rows);
                left -= rows;
            }
        }
        assertEquals(chosen, new java.util.TreeSet<>(Gemm.runTiles()), "MR = " + Gemm.MR);
    }
}
