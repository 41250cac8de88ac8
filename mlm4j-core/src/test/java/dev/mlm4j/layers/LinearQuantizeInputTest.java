package dev.mlm4j.layers;

import dev.mlm4j.tensor.FloatTensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link Linear#quantizeInput} against the examples of ONNX's DynamicQuantizeLinear operator page (onnx/docs/Operators.md). */
class LinearQuantizeInputTest {

    /** ONNX's example: x, and the y and y_zero_point it gives; y_scale = (max(0, max) − min(0, min)) / 255. */
    private static void check(float[] x, int rows, int[] y, int zeroPoint) {
        float min = 0, max = 0;
        for (float v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float scale = (max - min) / 255f;
        FloatTensor q = Linear.quantizeInput(FloatTensor.wrap(x, rows, x.length / rows));
        for (int i = 0; i < x.length; i++) assertEquals((y[i] - zeroPoint) * scale, q.data()[i], 0f, "element " + i);
    }

    @Test
    void equalsOnnxsDynamicQuantizeLinearExamples() {
        check(new float[] {0, 2, -3, -2.5f, 1.34f, 0.5f}, 1, new int[] {153, 255, 0, 26, 221, 179}, 153);
        check(new float[] {-1.0f, -2.1f, -1.3f, -2.5f, -3.34f, -4.0f}, 1, new int[] {191, 121, 172, 96, 42, 0}, 255);
        check(new float[] {1, 2.1f, 1.3f, 2.5f, 3.34f, 4.0f, 1.5f, 2.6f, 3.9f, 4.0f, 3.0f, 2.345f}, 4,
                new int[] {64, 134, 83, 159, 213, 255, 96, 166, 249, 255, 191, 149}, 0);
    }

    @Test
    void anAllZeroInputStaysZero() {
        FloatTensor q = Linear.quantizeInput(FloatTensor.zeros(2, 3));
        for (float v : q.data()) assertEquals(0f, v);
    }
}
