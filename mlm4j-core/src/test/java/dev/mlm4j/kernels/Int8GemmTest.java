package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Int8Gemm} against a double reference of y = epilogue(x · (scale ⊙ Q)ᵀ + b) on the dequantised weight (same
 * numbers, so ≤ 1e-4 relative), and the quantisation itself: each weight within half a step of its channel's scale.
 */
class Int8GemmTest {

    @ParameterizedTest(name = "{0}×{1}×{2} {3}")
    @CsvSource({"1, 384, 384, BIAS", "2, 17, 33, NONE", "5, 70, 45, BIAS_GELU", "6, 64, 32, BIAS_RESIDUAL", "16, 384, 1152, BIAS",
            "13, 100, 77, BIAS_RESIDUAL", "128, 384, 1536, BIAS_GELU", "37, 1536, 384, BIAS_RESIDUAL"})
    void matchesTheDequantisedReference(int n, int in, int out, Epilogue e) {
        Random r = new Random(n * 1000 + in + out);
        FloatTensor x = GemmTest.random(r, n, in), w1 = GemmTest.random(r, out / 2, in), w2 = GemmTest.random(r, out - out / 2, in);
        FloatTensor bias = e == Epilogue.NONE ? null : GemmTest.random(r, out);
        FloatTensor residual = e == Epilogue.BIAS_RESIDUAL ? GemmTest.random(r, n, out) : null;
        Int8Matrix q = Int8Matrix.quantize(w1, w2);
        for (int o = 0; o < out; o++) {
            FloatTensor w = o < out / 2 ? w1 : w2;
            int row = o < out / 2 ? o : o - out / 2;
            float step = 0;
            for (int i = 0; i < in; i++) step = Math.max(step, Math.abs(w.at(row, i)) / 127f);
            for (int i = 0; i < in; i++) assertEquals(w.at(row, i), q.weight(o, i), step * 0.5001, "W[" + o + "][" + i + "]");
        }
        FloatTensor y = FloatTensor.zeros(n, out);
        Int8Gemm.linear(x, q, bias, e, residual, y);
        FloatTensor dequantised = FloatTensor.zeros(out, in);
        for (int o = 0; o < out; o++) for (int i = 0; i < in; i++) dequantised.data()[dequantised.rowOffset(o) + i] = q.weight(o, i);
        GemmTest.assertLinear("int8 " + e, x, dequantised, bias, e, residual, y, 1e-4);    // fp32's double reference
    }

    @org.junit.jupiter.api.Test
    void aRowGivesTheSameBitsAloneAndInABatch() {
        Random r = new Random(5);
        FloatTensor x = GemmTest.random(r, 100, 384), bias = GemmTest.random(r, 1536);
        Int8Matrix q = Int8Matrix.quantize(GemmTest.random(r, 1536, 384));
        FloatTensor all = FloatTensor.zeros(100, 1536);
        Int8Gemm.linear(x, q, bias, Epilogue.BIAS_GELU, null, all);      // row blocks: panels widened to floats
        for (int i : new int[] {0, 37, 99}) {
            FloatTensor one = FloatTensor.zeros(1, 1536);
            Int8Gemm.linear(x.slice(i, 1), q, bias, Epilogue.BIAS_GELU, null, one);  // one row: straight from int8
            assertArrayEquals(all.slice(i, 1).toArray(), one.toArray(), "row " + i);
        }
    }
}
