package dev.mlm4j.explorer;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Max-flow, rollout and attention flow against hand-worked and brute-force answers. */
class CrossLayerTest {

    @Test
    void dinicFindsTheTextbookMaximumFlow() {
        // CLRS figure 26.1: s=0, v1..v4 = 1..4, t=5; maximum flow 23.
        MaxFlow f = new MaxFlow(6, 9);
        f.addEdge(0, 1, 16);
        f.addEdge(0, 2, 13);
        f.addEdge(1, 3, 12);
        f.addEdge(2, 1, 4);
        f.addEdge(2, 4, 14);
        f.addEdge(3, 2, 9);
        f.addEdge(3, 5, 20);
        f.addEdge(4, 3, 7);
        f.addEdge(4, 5, 4);
        assertEquals(23, f.maxFlow(0, 5), 1e-12);
        assertEquals(23, f.maxFlow(0, 5), 1e-12, "a second run starts again from the original capacities");
        assertEquals(0, f.maxFlow(5, 0), 1e-12, "nothing leaves the sink");
    }

    @Test
    void maxFlowEqualsTheMinimumCutOnRandomNetworks() {
        Random r = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int n = 2 + r.nextInt(6);
            double[][] c = new double[n][n];
            MaxFlow f = new MaxFlow(n, n * n);
            for (int u = 0; u < n; u++) {
                for (int v = 0; v < n; v++) {
                    if (u != v && r.nextDouble() < 0.5) {
                        c[u][v] = r.nextDouble();
                        f.addEdge(u, v, c[u][v]);
                    }
                }
            }
            assertEquals(minCut(c, 0, n - 1), f.maxFlow(0, n - 1), 1e-9, "trial " + trial);
        }
    }

    /** Brute force over every cut (S ∋ s, t ∉ S). */
    static double minCut(double[][] c, int s, int t) {
        int n = c.length;
        double best = Double.POSITIVE_INFINITY;
        for (int mask = 0; mask < (1 << n); mask++) {
            if ((mask >> s & 1) == 0 || (mask >> t & 1) == 1) continue;
            double cut = 0;
            for (int u = 0; u < n; u++) for (int v = 0; v < n; v++) if ((mask >> u & 1) == 1 && (mask >> v & 1) == 0) cut += c[u][v];
            best = Math.min(best, cut);
        }
        return best;
    }

    static double[][][] randomAttention(Random r, int layers, int n, boolean causal) {
        double[][][] a = new double[layers][n][n];
        for (double[][] layer : a) {
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int j = 0; j < n; j++) if (!causal || j <= i) sum += (layer[i][j] = r.nextDouble() * r.nextDouble());
                for (int j = 0; j < n; j++) layer[i][j] /= sum;
            }
        }
        return a;
    }

    @Test
    void rolloutOfOneLayerIsHalfAttentionHalfIdentityAndRowsStayDistributions() {
        Random r = new Random(1);
        double[][][] one = randomAttention(r, 1, 5, false);
        double[][] roll = CrossLayer.rollout(one);
        for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) assertEquals(0.5 * one[0][i][j] + (i == j ? 0.5 : 0), roll[i][j], 1e-15);

        double[][][] many = randomAttention(r, 6, 7, false);
        double[][] rm = CrossLayer.rollout(many);
        for (double[] row : rm) {
            double s = 0;
            for (double v : row) s += v;
            assertEquals(1, s, 1e-12);
        }
        // Rollout is the product Ã_L ⋯ Ã_1: compare with multiplying by hand in the other association order.
        double[][] left = CrossLayer.withResidual(many[5]);
        for (int l = 4; l >= 0; l--) left = CrossLayer.multiply(left, CrossLayer.withResidual(many[l]));
        for (int i = 0; i < 7; i++) for (int j = 0; j < 7; j++) assertEquals(left[i][j], rm[i][j], 1e-12);
    }

    @Test
    void causalRolloutAndFlowNeverReachForward() {
        double[][][] a = randomAttention(new Random(3), 4, 6, true);
        double[][] roll = CrossLayer.rollout(a);
        double[][] flow = CrossLayer.flowAll(a);
        for (int i = 0; i < 6; i++) {
            for (int j = i + 1; j < 6; j++) {
                assertEquals(0, roll[i][j], 0, "rollout " + i + "←" + j);
                assertEquals(0, flow[i][j], 0, "flow " + i + "←" + j);
            }
        }
        assertEquals(1, flow[0][0], 1e-12, "under the causal mask token 0 only ever sees itself: all its unit capacity");
    }

    @Test
    void flowOfOneLayerIsTheEdgeAndFlowIsBoundedByOneAndByTheMinimumCut() {
        Random r = new Random(5);
        double[][][] one = randomAttention(r, 1, 4, false);
        double[][] f1 = CrossLayer.flowAll(one);
        double[][] res = CrossLayer.withResidual(one[0]);
        for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) assertEquals(res[i][j], f1[i][j], 1e-12);

        double[][][] three = randomAttention(r, 3, 3, false);
        double[][] f = CrossLayer.flowAll(three);
        double[][] cap = layered(three);
        int n = 3, top = 3 * n;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                assertTrue(f[i][j] <= 1 + 1e-12, "flow into a token is at most its unit row");
                assertEquals(minCut(cap, j, top + i), f[i][j], 1e-9, "flow " + j + " → " + i);
            }
        }
        double[] toCls = CrossLayer.flow(three, 0);
        for (int j = 0; j < n; j++) assertEquals(f[0][j], toCls[j], 1e-12);
    }

    static double[][] layered(double[][][] a) {
        int layers = a.length, n = a[0].length;
        double[][] c = new double[(layers + 1) * n][(layers + 1) * n];
        for (int l = 0; l < layers; l++) {
            double[][] res = CrossLayer.withResidual(a[l]);
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) c[l * n + j][(l + 1) * n + i] = res[i][j];
        }
        return c;
    }

    @Test
    void flowRefusesTextsPastItsBound() {
        double[][][] big = randomAttention(new Random(9), 1, CrossLayer.MAX_FLOW_TOKENS_ALL_TARGETS + 1, false);
        var e = assertThrows(IllegalArgumentException.class, () -> CrossLayer.flowAll(big));
        assertTrue(e.getMessage().contains("limited to " + CrossLayer.MAX_FLOW_TOKENS_ALL_TARGETS), e.getMessage());
        assertDoesNotThrow(() -> CrossLayer.flow(big, 0));
    }
}
