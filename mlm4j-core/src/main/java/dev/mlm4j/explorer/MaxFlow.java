package dev.mlm4j.explorer;

import java.util.Arrays;

/**
 * Maximum flow by Dinic's algorithm (BFS level graph, then blocking flows by DFS with per-node edge pointers),
 * on real-valued capacities. Capacities below {@link #EPS} count as saturated, so floating-point residue
 * never keeps an augmenting path alive. O(V²E) in the worst case; on the layered DAGs of attention flow the
 * number of phases is bounded by the number of layers times a small factor.
 *
 * <p>A network is built once with {@link #addEdge} and can be solved for many (source, sink) pairs:
 * {@link #maxFlow} restores the original capacities before each run.
 */
public final class MaxFlow {
    static final double EPS = 1e-12;

    private final int nodes;
    private int edges;
    private int[] head, next, to;  // adjacency as linked lists over edge ids; edge e's reverse is e ^ 1
    private double[] cap, original;
    private final int[] level, iter, queue;

    public MaxFlow(int nodes, int expectedEdges) {
        if (nodes < 2) throw new IllegalArgumentException("a flow network needs at least 2 nodes");
        this.nodes = nodes;
        int m = Math.max(2, 2 * expectedEdges);
        this.head = new int[nodes];
        Arrays.fill(head, -1);
        this.next = new int[m];
        this.to = new int[m];
        this.cap = new double[m];
        this.original = new double[m];
        this.level = new int[nodes];
        this.iter = new int[nodes];
        this.queue = new int[nodes];
    }

    public int nodes() {
        return nodes;
    }

    /** A directed edge u → v of capacity c ≥ 0 (and its zero-capacity reverse for the residual graph). */
    public void addEdge(int u, int v, double c) {
        if (u < 0 || u >= nodes || v < 0 || v >= nodes) throw new IndexOutOfBoundsException("edge " + u + " → " + v + " in " + nodes + " nodes");
        if (!(c >= 0) || Double.isInfinite(c)) throw new IllegalArgumentException("capacity must be finite and ≥ 0, got " + c);
        if (edges + 2 > to.length) grow();
        link(u, v, c);
        link(v, u, 0);
    }

    private void link(int u, int v, double c) {
        to[edges] = v;
        cap[edges] = c;
        original[edges] = c;
        next[edges] = head[u];
        head[u] = edges++;
    }

    private void grow() {
        int m = to.length * 2;
        next = Arrays.copyOf(next, m);
        to = Arrays.copyOf(to, m);
        cap = Arrays.copyOf(cap, m);
        original = Arrays.copyOf(original, m);
    }

    /** The value of a maximum flow from {@code source} to {@code sink} on the original capacities. */
    public double maxFlow(int source, int sink) {
        if (source == sink) throw new IllegalArgumentException("source and sink are the same node " + source);
        System.arraycopy(original, 0, cap, 0, edges);
        double flow = 0;
        while (bfs(source, sink)) {
            for (int u = 0; u < nodes; u++) iter[u] = head[u];
            double f;
            while ((f = dfs(source, sink, Double.POSITIVE_INFINITY)) > EPS) flow += f;
        }
        return flow;
    }

    private boolean bfs(int s, int t) {
        Arrays.fill(level, -1);
        int qh = 0, qt = 0;
        queue[qt++] = s;
        level[s] = 0;
        while (qh < qt) {
            int u = queue[qh++];
            for (int e = head[u]; e >= 0; e = next[e]) {
                if (cap[e] > EPS && level[to[e]] < 0) {
                    level[to[e]] = level[u] + 1;
                    queue[qt++] = to[e];
                }
            }
        }
        return level[t] >= 0;
    }

    // Recursion depth is at most the BFS distance to the sink (layers + 1 in attention flow).
    private double dfs(int u, int t, double pushed) {
        if (u == t) return pushed;
        for (; iter[u] >= 0; iter[u] = next[iter[u]]) {
            int e = iter[u], v = to[e];
            if (cap[e] > EPS && level[v] == level[u] + 1) {
                double d = dfs(v, t, Math.min(pushed, cap[e]));
                if (d > EPS) {
                    cap[e] -= d;
                    cap[e ^ 1] += d;
                    return d;
                }
            }
        }
        return 0;
    }
}
