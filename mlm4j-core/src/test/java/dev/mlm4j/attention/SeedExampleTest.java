package dev.mlm4j.attention;

import dev.mlm4j.kernels.Kernels;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The seed's worked example. Expected values computed by hand from softmax's definition:
 * row i of QKᵀ is x_i·[1, 2, 3]; softmax([1,2,3]) = e^{0,1,2}/(1+e+e²) etc. (independent of mlm4j).
 */
class SeedExampleTest {
    static double[] softmax(double... s) {
        double z = 0;
        for (double v : s) z += Math.exp(v);
        double[] p = new double[s.length];
        for (int i = 0; i < s.length; i++) p[i] = Math.exp(s[i]) / z;
        return p;
    }

    @Test
    void bidirectionalRowsAreTheCorrectedOnes() {
        var steps = SeedExample.run(Kernels.get(), AttentionMask.BIDIRECTIONAL);
        float[][] a = steps.probabilities()[0].toMatrix();
        double[][] expected = {{0.0900, 0.2447, 0.6652}, {0.0159, 0.1173, 0.8668}, {0.0024, 0.0473, 0.9503}};
        for (int i = 0; i < 3; i++) {
            double[] exact = softmax(i + 1, 2 * (i + 1), 3 * (i + 1));
            for (int j = 0; j < 3; j++) {
                assertEquals(expected[i][j], a[i][j], 5e-5, "A[" + i + "][" + j + "] (4 decimals)");
                assertEquals(exact[j], a[i][j], 1e-6, "A[" + i + "][" + j + "] (exact)");
            }
        }
        float[][] h = steps.output().toMatrix();
        double[] hExpected = {2.5752, 2.8509, 2.9480};
        for (int i = 0; i < 3; i++) assertEquals(hExpected[i], h[i][0], 5e-5, "h[" + i + "]");
    }

    @Test
    void theSeedIsRightAboutRowOneOnly() {
        var diffs = SeedExample.differences(SeedExample.run(Kernels.get(), AttentionMask.BIDIRECTIONAL));
        assertEquals(4, diffs.size(), "A rows 2, 3 and h rows 2, 3 differ");
        assertTrue(diffs.stream().noneMatch(d -> d.row() == 0), "row 1 agrees with the seed");
    }

    @Test
    void causalRowsSeeOnlyThePast() {
        var steps = SeedExample.run(Kernels.get(), AttentionMask.CAUSAL);
        float[][] a = steps.probabilities()[0].toMatrix();
        assertArrayEquals(new float[] {1f, 0f, 0f}, a[0], 1e-7f);
        double[] r2 = softmax(2, 4);
        assertEquals(r2[0], a[1][0], 1e-6);
        assertEquals(r2[1], a[1][1], 1e-6);
        assertEquals(0f, a[1][2]);
        // the last token sees everything either way
        assertEquals(0.9503, a[2][2], 5e-5);
        assertEquals(1.0, steps.output().at(0, 0), 1e-6);
    }
}
