package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class PackedMatrixTest {

    @Test
    void packedElementsReadBackAsTheWeight() {
        Random r = new Random(1);
        for (int[] s : new int[][] {{1, 1}, {3, 17}, {PackedMatrix.NR, 5}, {PackedMatrix.NR + 1, 64}, {383, 33}, {768, 96}}) {
            FloatTensor w = GemmTest.random(r, s[0], s[1]);
            PackedMatrix p = PackedMatrix.pack(w);
            assertEquals(s[0], p.out());
            assertEquals(s[1], p.in());
            for (int o = 0; o < s[0]; o++) for (int i = 0; i < s[1]; i++) assertEquals(w.at(o, i), p.weight(o, i));
            assertArrayEquals(w.toArray(), p.unpacked().toArray(), "unpacked " + s[0] + "×" + s[1]);
            // padding of the last panel is zero, so the full-width kernel adds nothing there
            float[] d = p.data();
            int lastPanel = p.panels() - 1;
            for (int c = s[0] - lastPanel * PackedMatrix.NR; c < PackedMatrix.NR; c++) {
                for (int i = 0; i < s[1]; i++) assertEquals(0f, d[lastPanel * s[1] * PackedMatrix.NR + i * PackedMatrix.NR + c]);
            }
        }
    }

    /**
     * Training's per-use packing: one buffer per thread, shared by every matrix it packs, holding what a fresh packing
     * holds — the padding zero even where a larger matrix packed before left its floats.
     */
    @Test
    void scratchPackingHoldsWhatAFreshPackingHoldsInOneSharedBuffer() throws Exception {
        Random r = new Random(5);
        FloatTensor big = GemmTest.random(r, 3 * PackedMatrix.NR, 40);                  // fills the buffer, no padding
        FloatTensor w = GemmTest.random(r, PackedMatrix.NR + 3, 29);                    // [out, in], last panel padded
        float[] shared = PackedMatrix.packScratch(big).data();
        PackedMatrix m = PackedMatrix.packScratch(w);
        assertSame(shared, m.data(), "no new array: every layer packs into the thread's buffer");
        assertEquals(w.dim(0), m.out());
        assertEquals(w.dim(1), m.in());
        float[] fresh = PackedMatrix.pack(w).data();
        assertArrayEquals(fresh, java.util.Arrays.copyOf(m.data(), fresh.length), "bit for bit a fresh packing, zero padding included");
        PackedMatrix.packScratch(big);
        PackedMatrix t = PackedMatrix.packInOutScratch(w);                                // w read as (in, out) = (NR + 3, 29)
        assertSame(shared, t.data());
        float[] freshT = PackedMatrix.packInOut(w).data();
        assertArrayEquals(freshT, java.util.Arrays.copyOf(t.data(), freshT.length));
        float[][] other = new float[1][];
        Thread th = new Thread(() -> other[0] = PackedMatrix.packScratch(w).data());
        th.start();
        th.join();
        assertNotSame(shared, other[0], "another thread packs into its own buffer");
    }

    @Test
    void inOutLayoutPacksToTheSameMatrix() {
        Random r = new Random(2);
        FloatTensor w = GemmTest.random(r, 45, 70);             // [out, in]
        FloatTensor wt = FloatTensor.zeros(70, 45);             // [in, out]
        for (int o = 0; o < 45; o++) for (int i = 0; i < 70; i++) wt.set(w.at(o, i), i, o);
        assertArrayEquals(PackedMatrix.pack(w).data(), PackedMatrix.packInOut(wt).data());
        // and from a strided [in, out] view
        FloatTensor wide = FloatTensor.zeros(70, 60);
        for (int i = 0; i < 70; i++) for (int o = 0; o < 45; o++) wide.set(wt.at(i, o), i, o + 7);
        assertArrayEquals(PackedMatrix.pack(w).data(), PackedMatrix.packInOut(wide.columns(7, 45)).data());
    }

    @Test
    void concatenationStacksOutputs() {
        Random r = new Random(3);
        FloatTensor q = GemmTest.random(r, 20, 33), k = GemmTest.random(r, 17, 33), v = GemmTest.random(r, 40, 33);
        PackedMatrix p = PackedMatrix.packConcat(q, k, v);
        assertEquals(77, p.out());
        for (int i = 0; i < 33; i++) {
            for (int o = 0; o < 20; o++) assertEquals(q.at(o, i), p.weight(o, i));
            for (int o = 0; o < 17; o++) assertEquals(k.at(o, i), p.weight(20 + o, i));
            for (int o = 0; o < 40; o++) assertEquals(v.at(o, i), p.weight(37 + o, i));
        }
        assertThrows(IllegalArgumentException.class, () -> PackedMatrix.packConcat(q, GemmTest.random(r, 3, 4)));
    }

    /** A checkpoint's [in, out] kernel presented as a transposed view (TensorSource.loadInto) packs like the row-major weight. */
    @Test
    void transposedViewsPackLikeRowMajorWeights() {
        Random r = new Random(4);
        FloatTensor q = GemmTest.random(r, 40, 33), k = GemmTest.random(r, 17, 33), v = GemmTest.random(r, 64, 33);
        FloatTensor kView = k.copy().transposed().copy().transposed();   // (17, 33) with strides (1, 17)
        assertEquals(1, kView.stride(0));
        assertArrayEquals(PackedMatrix.packConcat(q, k, v).data(), PackedMatrix.packConcat(q, kView, v).data());
        FloatTensor vView = v.transposed().copy().transposed();
        assertArrayEquals(PackedMatrix.pack(v).data(), PackedMatrix.pack(vView).data());
        // int8: the same bytes and scales from the view as from the row-major copy
        Int8Matrix a = Int8Matrix.quantize(q, k, v), b = Int8Matrix.quantize(q, kView, vView);
        assertArrayEquals(a.data(), b.data());
        assertArrayEquals(a.scales(), b.scales());
    }
}
