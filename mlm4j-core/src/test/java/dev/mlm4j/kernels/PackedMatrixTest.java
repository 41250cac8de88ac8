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
            // padding of the last panel is zero, so the full-width kernel adds nothing there
            float[] d = p.data();
            int lastPanel = p.panels() - 1;
            for (int c = s[0] - lastPanel * PackedMatrix.NR; c < PackedMatrix.NR; c++) {
                for (int i = 0; i < s[1]; i++) assertEquals(0f, d[lastPanel * s[1] * PackedMatrix.NR + i * PackedMatrix.NR + c]);
            }
        }
    }

    @Test
    void repackingWritesWhatANewPackingHoldsIntoTheSameFloats() {
        Random r = new Random(5);
        FloatTensor before = GemmTest.random(r, PackedMatrix.NR + 3, 29), after = GemmTest.random(r, PackedMatrix.NR + 3, 29); // [out, in], last panel padded
        PackedMatrix m = PackedMatrix.pack(before), t = PackedMatrix.packInOut(before);
        float[] data = m.data(), tdata = t.data();
        m.repack(after);
        t.repackInOut(after);
        assertSame(data, m.data(), "no new array: training repacks after every step");
        assertSame(tdata, t.data());
        assertArrayEquals(PackedMatrix.pack(after).data(), m.data(), "bit for bit a fresh packing, zero padding included");
        assertArrayEquals(PackedMatrix.packInOut(after).data(), t.data());
        assertThrows(IllegalArgumentException.class, () -> m.repack(GemmTest.random(r, PackedMatrix.NR + 3, 28)));
        assertThrows(IllegalArgumentException.class, () -> t.repackInOut(GemmTest.random(r, PackedMatrix.NR + 4, 29)));
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
