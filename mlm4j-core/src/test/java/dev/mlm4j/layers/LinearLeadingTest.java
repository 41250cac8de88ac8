package dev.mlm4j.layers;

import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.PackedMatrix;
import dev.mlm4j.tensor.FloatTensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Linear#forwardLeading}: the first outputs of a layer, as DeBERTa projects its relative embeddings through the
 * query | key part of a fused query | key | value layer. Checked against a plain double-precision x Wᵀ + b, and, bit
 * for bit, against the first columns of the whole layer's output (a GEMM over fewer panels sums each output the same way).
 */
class LinearLeadingTest {
    private static final int NR = PackedMatrix.NR;

    private static FloatTensor random(Random r, int rows, int cols) {
        FloatTensor t = FloatTensor.zeros(rows, cols);
        for (int i = 0; i < t.data().length; i++) t.data()[i] = (float) r.nextGaussian();
        return t;
    }

    @Test
    void aWholeNumberOfPanelsRunsOverThemAloneAndGivesTheLayersFloats() {
        Random r = new Random(7);
        int in = 40, out = 3 * NR + 5, n = 9;
        FloatTensor w = random(r, out, in), b = random(r, 1, out).reshape(out), x = random(r, n, in);
        Linear layer = new Linear(w, b, Precision.FP32);
        Kernels k = Kernels.get();
        FloatTensor lead = layer.forwardLeading(k, x, 2 * NR), whole = layer.forward(k, x);
        assertArrayEquals(new int[] {n, 2 * NR}, lead.shape());
        assertArrayEquals(whole.columns(0, 2 * NR).copy().data(), lead.data());
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < 2 * NR; o++) {
                double s = b.data()[o];
                for (int p = 0; p < in; p++) s += (double) x.at(i, p) * w.at(o, p);
                assertEquals(s, lead.at(i, o), 1e-4, "row " + i + " output " + o);
            }
        }
    }

    @Test
    void otherwiseTheWholeLayerRunsAndItsFirstColumnsAreCopied() {
        Random r = new Random(8);
        int in = 24, out = 2 * NR + 3, n = 4;
        FloatTensor w = random(r, out, in), b = random(r, 1, out).reshape(out), x = random(r, n, in);
        Kernels k = Kernels.get();
        Linear fp32 = new Linear(w, b, Precision.FP32), int8 = new Linear(w, b, Precision.INT8);
        assertArrayEquals(fp32.forward(k, x).columns(0, NR + 3).copy().data(), fp32.forwardLeading(k, x, NR + 3).data());   // not whole panels
        assertArrayEquals(int8.forward(k, x).columns(0, NR).copy().data(), int8.forwardLeading(k, x, NR).data());           // int8 weights
    }
}
