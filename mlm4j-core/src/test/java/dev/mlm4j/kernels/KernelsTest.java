package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The Vector API kernels against the scalar reference, on random and awkward shapes. */
class KernelsTest {
    static final ScalarKernels REF = new ScalarKernels();
    static final VectorKernels VEC = new VectorKernels();

    static FloatTensor random(Random r, int... shape) {
        FloatTensor t = FloatTensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return t;
    }

    /** Asserts |a − b| ≤ tol · max(1, |b|) element by element, naming the first mismatch. */
    static void assertClose(String what, FloatTensor expected, FloatTensor actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.toArray(), a = actual.toArray();
        for (int i = 0; i < e.length; i++) {
            double err = Math.abs(e[i] - a[i]);
            if (!(err <= tol * Math.max(1, Math.abs(e[i])))) {
                fail(what + ": first mismatch at flat index " + i + " (row " + (i / Math.max(1, expected.dim(-1))) + ", col "
                        + (i % Math.max(1, expected.dim(-1))) + "): expected " + e[i] + ", got " + a[i]);
            }
        }
    }

    static Stream<Arguments> shapes() {
        int[] dims = {1, 3, 17, 64, 383};
        Stream.Builder<Arguments> b = Stream.builder();
        for (int m : dims) for (int n : new int[] {1, 3, 17, 33, 383}) for (int k : new int[] {1, 17, 383}) {
            if ((long) m * n * k <= 383L * 383 * 17 || (m == 64 && n == 383 && k == 383)) b.add(Arguments.of(m, n, k));
        }
        return b.build();
    }

    @ParameterizedTest(name = "matmul m={0} n={1} k={2}")
    @MethodSource("shapes")
    void matmulMatchesReference(int m, int n, int k) {
        Random r = new Random(31L * m + 7L * n + k);
        FloatTensor a = random(r, m, k), b = random(r, k, n);
        FloatTensor ref = FloatTensor.zeros(m, n), vec = FloatTensor.zeros(m, n);
        REF.matmul(a, b, ref);
        VEC.matmul(a, b, vec);
        assertClose("matmul", ref, vec, 1e-4 * Math.sqrt(k));
    }

    /**
     * A decoder-shaped product (more rows than one block of a, many column tasks, ragged edges): every element is exactly
     * the one dot product of its row and column, wherever the tiling put it.
     */
    @Test
    void matmulTransposedTilesGiveEachElementItsOwnDotProduct() {
        Random r = new Random(99);
        int m = 300, n = 1100, k = 768;
        FloatTensor a = random(r, m, k), b = random(r, n, k), c = FloatTensor.zeros(m, n);
        VEC.matmulTransposed(a, b, c);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float want = VectorKernels.dot(a.data(), a.rowOffset(i), b.data(), b.rowOffset(j), k);
                if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(c.get(i, j))) fail("c[" + i + "][" + j + "] " + c.get(i, j) + " != " + want);
            }
        }
    }

    @ParameterizedTest(name = "matmulTransposed m={0} n={1} k={2}")
    @MethodSource("shapes")
    void matmulTransposedMatchesReference(int m, int n, int k) {
        Random r = new Random(17L * m + 5L * n + k);
        FloatTensor a = random(r, m, k), b = random(r, n, k);
        FloatTensor ref = FloatTensor.zeros(m, n), vec = FloatTensor.zeros(m, n);
        REF.matmulTransposed(a, b, ref);
        VEC.matmulTransposed(a, b, vec);
        assertClose("matmulTransposed", ref, vec, 1e-4 * Math.sqrt(k));
    }

    @Test
    void matmulOnStridedHeadViews() {
        Random r = new Random(3);
        FloatTensor q = random(r, 17, 12), v = random(r, 17, 12);
        FloatTensor head = q.columns(4, 4);      // (17, 4) with row stride 12
        FloatTensor vh = v.columns(8, 4);
        FloatTensor ref = FloatTensor.zeros(17, 17), vec = FloatTensor.zeros(17, 17);
        REF.matmulTransposed(head, vh, ref);
        VEC.matmulTransposed(head, vh, vec);
        assertClose("strided QKᵀ", ref, vec, 1e-5);
        // and against a hand loop on the copies, so the view arithmetic itself is checked
        FloatTensor hc = head.copy(), vc = vh.copy();
        for (int i = 0; i < 17; i++) for (int j = 0; j < 17; j++) {
            double s = 0;
            for (int p = 0; p < 4; p++) s += hc.at(i, p) * vc.at(j, p);
            assertEquals(s, vec.at(i, j), 1e-5);
        }
    }

    @Test
    void matmulRejectsMismatchedShapes() {
        var ex = assertThrows(IllegalArgumentException.class,
                () -> VEC.matmul(FloatTensor.zeros(2, 3), FloatTensor.zeros(4, 5), FloatTensor.zeros(2, 5)));
        assertTrue(ex.getMessage().contains("do not agree"), ex.getMessage());
    }

    /**
     * The linear kernels, fp32 and int8, every epilogue: the Vector API GEMMs give the reference's bits. Shapes: 1/3/17/383
     * sizes, an edge panel (out not a multiple of the panel), k blocks in the fp32 GEMM (in 1536), 6 + 1 row tiles,
     * and enough rows for int8's widened-panel path (40).
     */
    @ParameterizedTest(name = "linear n={0} in={1} out={2}")
    @CsvSource({"1, 1, 1", "1, 383, 3", "1, 17, 383", "3, 3, 17", "3, 383, 33", "17, 17, 383", "17, 383, 17", "383, 3, 383",
            "383, 17, 1", "383, 383, 33", "7, 1536, 384", "40, 384, 1152"})
    void linearMatchesReferenceBitForBit(int n, int in, int out) {
        Random r = new Random(41L * n + 13L * in + out);
        FloatTensor x = random(r, n, in), bias = random(r, out), res = random(r, n, out);
        FloatTensor w1 = random(r, out / 2, in), w2 = random(r, out - out / 2, in);   // two parts, as Q|K|V
        PackedMatrix packed = PackedMatrix.packConcat(w1, w2);
        Int8Matrix q = Int8Matrix.quantize(w1, w2);
        for (boolean int8 : new boolean[] {false, true}) {
            for (Epilogue e : Epilogue.values()) {
                FloatTensor b = e == Epilogue.NONE ? null : bias, rr = e.residual() ? res : null;
                FloatTensor ref = FloatTensor.zeros(n, out), vec = FloatTensor.zeros(n, out);
                for (Kernels k : new Kernels[] {REF, VEC}) {
                    FloatTensor y = k == REF ? ref : vec;
                    if (int8) k.linear(x, q, b, e, rr, y);
                    else k.linear(x, packed, b, e, rr, y);
                }
                assertArrayEquals(ref.data(), vec.data(), (int8 ? "int8" : "fp32") + " linear " + e + " " + n + "×" + in + "×" + out);
            }
        }
    }

    @Test
    void int8ReferenceIsTheDequantisedProduct() {
        Random r = new Random(43);
        FloatTensor x = random(r, 5, 383);
        Int8Matrix q = Int8Matrix.quantize(random(r, 33, 383));
        FloatTensor y = FloatTensor.zeros(5, 33);
        REF.linear(x, q, null, Epilogue.NONE, null, y);
        for (int i = 0; i < 5; i++) {
            for (int o = 0; o < 33; o++) {
                double s = 0, norm = 0;
                for (int p = 0; p < 383; p++) {
                    double t = (double) x.at(i, p) * q.weight(o, p);
                    s += t;
                    norm += Math.abs(t);
                }
                assertEquals(s, y.at(i, o), 1e-5 * (norm + 1), "int8 reference at (" + i + ", " + o + ")");
            }
        }
    }

    @Test
    void linearRejectsMismatchesOnBothKernelsAlike() {
        PackedMatrix w = PackedMatrix.pack(FloatTensor.zeros(4, 3));
        Int8Matrix q = Int8Matrix.quantize(FloatTensor.zeros(4, 3));
        for (Kernels k : new Kernels[] {REF, VEC}) {
            var ex = assertThrows(IllegalArgumentException.class,
                    () -> k.linear(FloatTensor.zeros(2, 5), w, null, Epilogue.NONE, null, FloatTensor.zeros(2, 4)));
            assertTrue(ex.getMessage().contains("5 features, weight takes 3"), ex.getMessage());
            ex = assertThrows(IllegalArgumentException.class,
                    () -> k.linear(FloatTensor.zeros(2, 3), q, null, Epilogue.BIAS_RESIDUAL, null, FloatTensor.zeros(2, 4)));
            assertTrue(ex.getMessage().contains("needs a residual"), ex.getMessage());
        }
    }

    @ParameterizedTest(name = "attention n={0} dk={1}")
    @CsvSource({"1, 1", "1, 17", "3, 3", "3, 64", "17, 17", "17, 64", "383, 32", "383, 64"})
    void attentionMatchesReference(int n, int dk) {
        Random r = new Random(47L * n + dk);
        FloatTensor qkv = random(r, n, 3 * dk + 1);                 // head views with a row stride, as in BERT
        for (int i = 0; i < qkv.data().length; i++) qkv.data()[i] *= 2f;
        FloatTensor q = qkv.columns(0, dk), k = qkv.columns(dk, dk), v = qkv.columns(2 * dk, dk);
        boolean[] valid = new boolean[n];
        for (int j = 0; j < n; j++) valid[j] = j == 0 || j % 5 != 2;
        float scale = (float) (1.0 / Math.sqrt(dk));
        for (boolean causal : new boolean[] {false, true}) {
            for (boolean[] mask : new boolean[][] {null, valid}) {
                FloatTensor ref = FloatTensor.zeros(n, dk), vec = FloatTensor.zeros(n, dk);
                REF.attention(q, k, v, causal, mask, scale, ref);
                VEC.attention(q, k, v, causal, mask, scale, vec);
                assertClose("attention n=" + n + " dk=" + dk + (causal ? " causal" : "") + (mask != null ? " padded" : ""), ref, vec, 1e-5);
            }
        }
    }

    @ParameterizedTest(name = "row ops {0}×{1}")
    @MethodSource("rowShapes")
    void rowOpsMatchReference(int m, int n) {
        Random r = new Random(m * 1000L + n);
        FloatTensor x = random(r, m, n), bias = random(r, n), y = random(r, m, n);
        FloatTensor gamma = random(r, n), beta = random(r, n);
        for (String op : new String[] {"addBias", "add", "scale", "softmax", "layerNorm", "gelu"}) {
            FloatTensor a = x.copy(), b = x.copy();
            for (Kernels k : new Kernels[] {REF, VEC}) {
                FloatTensor t = k == REF ? a : b;
                switch (op) {
                    case "addBias" -> k.addBias(t, bias);
                    case "add" -> k.add(t, y);
                    case "scale" -> k.scale(t, 0.125f);
                    case "softmax" -> k.softmaxRows(t);
                    case "layerNorm" -> k.layerNorm(t, gamma, beta, 1e-12f);
                    case "gelu" -> k.gelu(t);
                    default -> throw new AssertionError(op);
                }
            }
            assertClose(op + " " + m + "×" + n, a, b, 1e-5);
        }
    }

    static Stream<Arguments> rowShapes() {
        return Stream.of(Arguments.of(1, 1), Arguments.of(3, 3), Arguments.of(17, 17), Arguments.of(5, 383), Arguments.of(2, 768));
    }

    @Test
    void softmaxIsStableForLargeScores() {
        for (Kernels k : new Kernels[] {REF, VEC}) {
            FloatTensor s = FloatTensor.wrap(new float[] {1e4f, 1e4f - 1f, -1e4f, 1e4f - 2f, 0, 0, 0, 0, 0, -1e4f, 5f}, 1, 11);
            k.softmaxRows(s);
            float sum = 0;
            for (float v : s.toArray()) {
                assertTrue(Float.isFinite(v), k.name() + " produced " + v);
                sum += v;
            }
            assertEquals(1f, sum, 1e-5, k.name());
            // softmax([0, -1, -2]) restricted to the three large entries, the rest underflow to 0
            double z = 1 + Math.exp(-1) + Math.exp(-2);
            assertEquals(1 / z, s.at(0, 0), 1e-6, k.name());
            assertEquals(Math.exp(-1) / z, s.at(0, 1), 1e-6, k.name());
            assertEquals(0f, s.at(0, 2), k.name());
        }
    }

    @Test
    void softmaxGivesMaskedEntriesExactlyZeroAndAllMaskedRowsZero() {
        float ninf = Float.NEGATIVE_INFINITY;
        for (Kernels k : new Kernels[] {REF, VEC}) {
            FloatTensor s = FloatTensor.of(new float[][] {{1, ninf, 2, ninf, 0, 0, 0, 0, 3}, {ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf}});
            k.softmaxRows(s);
            assertEquals(0f, s.at(0, 1), k.name());
            assertEquals(0f, s.at(0, 3), k.name());
            for (int j = 0; j < 9; j++) assertEquals(0f, s.at(1, j), k.name() + " all-masked row");
        }
    }

    @Test
    void erfReferenceMatchesPublishedValues() {
        // Abramowitz & Stegun, Table 7.1, and the standard values erf(2), erf(3).
        assertEquals(0.0, ScalarKernels.erf(0.0), 0);
        assertEquals(0.5204998778130465, ScalarKernels.erf(0.5), 1e-14);
        assertEquals(0.8427007929497149, ScalarKernels.erf(1.0), 1e-14);
        assertEquals(0.9953222650189527, ScalarKernels.erf(2.0), 1e-14);
        assertEquals(0.9999779095030014, ScalarKernels.erf(3.0), 1e-14);
        assertEquals(-0.9999999845827421, ScalarKernels.erf(-4.0), 1e-14);
        assertEquals(0.9999999999984626, ScalarKernels.erf(5.0), 1e-14);
    }

    @Test
    void fastErfIsAccurateToFloatPrecision() {
        double worst = 0;
        for (double x = -6; x <= 6; x += 1e-3) {
            worst = Math.max(worst, Math.abs(VectorKernels.erf((float) x) - ScalarKernels.erf((float) x)));
        }
        assertTrue(worst < 5e-7, "max |erf error| = " + worst);
    }

    @Test
    void geluIsTheErfFormNotTheTanhApproximation() {
        // GELU(1) = 0.5·(1 + erf(1/√2)) = 0.8413447460685429; the tanh form gives 0.8411919906082768.
        for (Kernels k : new Kernels[] {REF, VEC}) {
            FloatTensor t = FloatTensor.wrap(new float[] {1f, -1f, 0f, 3f}, 1, 4);
            k.gelu(t);
            assertEquals(0.8413447460685429, t.at(0, 0), 1e-6, k.name());
            assertEquals(-0.15865525393145707, t.at(0, 1), 1e-6, k.name());
            assertEquals(0.0, t.at(0, 2), 0, k.name());
            assertEquals(2.9959502, t.at(0, 3), 1e-6, k.name());
        }
    }

    /** The training forward's GELU into another tensor: the bits of GELU in place on a copy, its input untouched. */
    @Test
    void geluIntoAnotherTensorIsGeluInPlaceOnACopy() {
        Random r = new Random(41);
        for (Kernels k : new Kernels[] {REF, VEC}) {
            for (int[] shape : new int[][] {{1, 1}, {3, 37}, {130, 1536}}) {
                FloatTensor x = random(r, shape[0], shape[1]), before = x.copy(), want = x.copy();
                FloatTensor wide = FloatTensor.zeros(shape[0], shape[1] + 5), out = wide.columns(2, shape[1]);
                k.gelu(want);
                k.gelu(x, out);
                assertArrayEquals(before.toArray(), x.toArray(), k.name() + ": the input is left as it was");
                assertArrayEquals(want.toArray(), out.toArray(), k.name() + " " + shape[0] + " × " + shape[1]);
                for (int i = 0; i < shape[0]; i++) {
                    assertEquals(0f, wide.at(i, 0), k.name() + ": outside the view");
                    assertEquals(0f, wide.at(i, shape[1] + 4), k.name() + ": outside the view");
                }
            }
        }
    }

    @Test
    void layerNormMatchesHandComputation() {
        for (Kernels k : new Kernels[] {REF, VEC}) {
            FloatTensor x = FloatTensor.wrap(new float[] {1, 2, 3, 4}, 1, 4);
            k.layerNorm(x, FloatTensor.wrap(new float[] {1, 1, 1, 1}, 4), FloatTensor.wrap(new float[] {0, 0, 0, 1}, 4), 1e-12f);
            // mean 2.5, var 1.25 → (x − 2.5)/√1.25
            double s = Math.sqrt(1.25);
            assertEquals(-1.5 / s, x.at(0, 0), 1e-6);
            assertEquals(1.5 / s + 1, x.at(0, 3), 1e-6);
        }
    }

    @Test
    void embeddingLookupCopiesRowsAndRejectsBadIds() {
        FloatTensor table = FloatTensor.of(new float[][] {{0, 0}, {1, 2}, {3, 4}});
        FloatTensor out = FloatTensor.zeros(3, 2);
        VEC.embeddingLookup(table, new int[] {2, 1, 2}, out);
        assertArrayEquals(new float[] {3, 4, 1, 2, 3, 4}, out.toArray());
        assertThrows(IndexOutOfBoundsException.class, () -> VEC.embeddingLookup(table, new int[] {3}, FloatTensor.zeros(1, 2)));
    }
}
