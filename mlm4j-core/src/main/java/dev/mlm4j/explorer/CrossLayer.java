package dev.mlm4j.explorer;

/**
 * Attention rollout and attention flow (Abnar &amp; Zuidema, 2020, "Quantifying Attention Flow in
 * Transformers"): how much each output token draws from each input token across all layers, not one head.
 *
 * <p>Both start from each layer's attention averaged over heads, with the residual connection added as an
 * identity and rows kept stochastic: Ã_l = 0.5·A_l + 0.5·I.
 * <ul>
 *   <li><b>Rollout</b> multiplies them: R = Ã_L ⋯ Ã_2 Ã_1, so R_ij is the share of input token j in
 *       output token i when attention is treated as a linear mix along every path.</li>
 *   <li><b>Flow</b> treats the stack as a layered network with L+1 copies of the tokens, an edge
 *       (l−1, j) → (l, i) of capacity Ã_l[i][j], and takes F_ij = the maximum flow from input node (0, j)
 *       to output node (L, i): the most weight that can reach i from j along paths that share capacity.</li>
 * </ul>
 * Flow costs one max-flow per (output, input) pair, so it is bounded: {@link #MAX_FLOW_TOKENS_ONE_TARGET}
 * tokens when flowing into one output token, {@link #MAX_FLOW_TOKENS_ALL_TARGETS} for every output token.
 */
public final class CrossLayer {
    private CrossLayer() {}

    /** Longest text {@link #flow} accepts for one output token (n max-flows on (L+1)·n nodes, L·n² edges). */
    public static final int MAX_FLOW_TOKENS_ONE_TARGET = 128;
    /** Longest text {@link #flowAll} accepts (n² max-flows). */
    public static final int MAX_FLOW_TOKENS_ALL_TARGETS = 48;

    /** Ã = 0.5·A + 0.5·I for a (n, n) row-stochastic A. */
    public static double[][] withResidual(double[][] a) {
        int n = a.length;
        double[][] r = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) r[i][j] = 0.5 * a[i][j];
            r[i][i] += 0.5;
        }
        return r;
    }

    /**
     * @param meanAttention meanAttention[l] = layer l's attention averaged over heads, (n, n)
     * @return R (n, n) = Ã_L ⋯ Ã_1, rows summing to 1
     */
    public static double[][] rollout(double[][][] meanAttention) {
        int n = meanAttention[0].length;
        double[][] r = identity(n);
        for (double[][] a : meanAttention) r = multiply(withResidual(a), r);
        return r;
    }

    /**
     * Attention flow into one output token.
     *
     * @return the flows F[j] from every input token j to output token {@code target}
     */
    public static double[] flow(double[][][] meanAttention, int target) {
        int n = meanAttention[0].length;
        if (target < 0 || target >= n) throw new IllegalArgumentException("flow target " + target + " is outside the " + n + " tokens");
        if (n > MAX_FLOW_TOKENS_ONE_TARGET) {
            throw new IllegalArgumentException("attention flow is limited to " + MAX_FLOW_TOKENS_ONE_TARGET
                    + " tokens (one max-flow per input token); this text has " + n + " — use rollout instead");
        }
        MaxFlow net = network(meanAttention);
        int sink = meanAttention.length * n + target;
        double[] f = new double[n];
        for (int j = 0; j < n; j++) f[j] = net.maxFlow(j, sink);
        return f;
    }

    /** Attention flow into every output token: F (n, n), F[i][j] = flow from input j to output i. */
    public static double[][] flowAll(double[][][] meanAttention) {
        int n = meanAttention[0].length;
        if (n > MAX_FLOW_TOKENS_ALL_TARGETS) {
            throw new IllegalArgumentException("attention flow into every token is limited to " + MAX_FLOW_TOKENS_ALL_TARGETS
                    + " tokens (one max-flow per pair); this text has " + n + " — flow into one token (e.g. [CLS]) or use rollout");
        }
        MaxFlow net = network(meanAttention);
        int top = meanAttention.length * n;
        double[][] f = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) f[i][j] = net.maxFlow(j, top + i);
        return f;
    }

    /** Node (l, k) is l·n + k; layer 0 is the input tokens, layer L the outputs. */
    static MaxFlow network(double[][][] meanAttention) {
        int layers = meanAttention.length, n = meanAttention[0].length;
        MaxFlow net = new MaxFlow((layers + 1) * n, layers * n * n);
        for (int l = 0; l < layers; l++) {
            double[][] a = withResidual(meanAttention[l]);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (a[i][j] > 0) net.addEdge(l * n + j, (l + 1) * n + i, a[i][j]);
                }
            }
        }
        return net;
    }

    static double[][] identity(int n) {
        double[][] r = new double[n][n];
        for (int i = 0; i < n; i++) r[i][i] = 1;
        return r;
    }

    static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length, m = b[0].length, k = b.length;
        double[][] c = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < k; p++) {
                double v = a[i][p];
                if (v == 0) continue;
                for (int j = 0; j < m; j++) c[i][j] += v * b[p][j];
            }
        }
        return c;
    }
}
