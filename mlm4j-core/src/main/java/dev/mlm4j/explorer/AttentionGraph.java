package dev.mlm4j.explorer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The seed's Lemma 2.1 made concrete: an attention matrix A is the weighted adjacency matrix of a directed
 * graph whose nodes are the tokens, with an edge i → j of weight A_ij ("how much token i attends to token j").
 *
 * <p>A graph is immutable. {@link #withoutSpecialTokens} drops [CLS]/[SEP] (optionally renormalising the
 * remaining rows to sum 1); {@link #pruned} thins the edges that {@link #edges()} lists and the exports
 * write, by threshold and/or top-k per node. Pruning never changes the statistics: {@link #inStrength()}
 * and {@link #rowEntropy()} are always computed on all of the graph's weights.
 *
 * <p>The same type carries the cross-layer graphs (attention rollout and attention flow), whose weights
 * are not attention rows but play the same role: how much output token i draws from input token j.
 */
public final class AttentionGraph {
    /** An edge between two tokens, named by their {@link Token#index()} in the encoding. */
    public record Edge(int source, int target, double weight) {}

    private final String label;
    private final List<Token> nodes;
    private final double[][] weights; // (nodes, nodes); row i = node i's outgoing weights
    private final Pruning pruning;

    private AttentionGraph(String label, List<Token> nodes, double[][] weights, Pruning pruning) {
        this.label = label;
        this.nodes = nodes;
        this.weights = weights;
        this.pruning = pruning;
    }

    /**
     * @param label   what the graph shows, e.g. "layer 3 head 5 (bidirectional)"
     * @param tokens  the nodes, in matrix order
     * @param weights (n, n) adjacency matrix; copied
     */
    public static AttentionGraph of(String label, List<Token> tokens, double[][] weights) {
        int n = tokens.size();
        if (weights.length != n) throw new IllegalArgumentException(n + " tokens but a matrix of " + weights.length + " rows");
        double[][] w = new double[n][];
        for (int i = 0; i < n; i++) {
            if (weights[i].length != n) throw new IllegalArgumentException("row " + i + " has " + weights[i].length + " columns, expected " + n);
            w[i] = weights[i].clone();
            for (double v : w[i]) {
                if (!(v >= 0) || Double.isInfinite(v)) throw new IllegalArgumentException("edge weights must be finite and ≥ 0, row " + i + " has " + v);
            }
        }
        return new AttentionGraph(label, List.copyOf(tokens), w, Pruning.NONE);
    }

    /** From a float matrix such as one head of an attention tensor. */
    public static AttentionGraph of(String label, List<Token> tokens, float[][] weights) {
        double[][] w = new double[weights.length][];
        for (int i = 0; i < w.length; i++) {
            w[i] = new double[weights[i].length];
            for (int j = 0; j < w[i].length; j++) w[i][j] = weights[i][j];
        }
        return of(label, tokens, w);
    }

    public String label() {
        return label;
    }

    public List<Token> nodes() {
        return nodes;
    }

    public int size() {
        return nodes.size();
    }

    public Pruning pruning() {
        return pruning;
    }

    /** A copy of the (n, n) weights (all of them, pruning not applied). */
    public double[][] weights() {
        double[][] w = new double[weights.length][];
        for (int i = 0; i < w.length; i++) w[i] = weights[i].clone();
        return w;
    }

    /** Weight of the edge between the nodes at positions i and j of {@link #nodes()}. */
    public double weight(int i, int j) {
        return weights[i][j];
    }

    /**
     * The graph without the tokenizer's special tokens ([CLS], [SEP]). With {@code renormalise}, each
     * remaining row is divided by its remaining sum so it is again a distribution (a row whose whole weight
     * was on special tokens stays zero).
     */
    public AttentionGraph withoutSpecialTokens(boolean renormalise) {
        int[] keep = java.util.stream.IntStream.range(0, nodes.size()).filter(i -> !nodes.get(i).special()).toArray();
        List<Token> kept = new ArrayList<>();
        double[][] w = new double[keep.length][keep.length];
        for (int a = 0; a < keep.length; a++) {
            kept.add(nodes.get(keep[a]));
            double sum = 0;
            for (int b = 0; b < keep.length; b++) sum += (w[a][b] = weights[keep[a]][keep[b]]);
            if (renormalise && sum > 0) for (int b = 0; b < keep.length; b++) w[a][b] /= sum;
        }
        return new AttentionGraph(label + (renormalise ? ", special tokens dropped, rows renormalised" : ", special tokens dropped"),
                List.copyOf(kept), w, pruning);
    }

    /** The same graph whose edge list keeps only what {@code p} allows. */
    public AttentionGraph pruned(Pruning p) {
        return new AttentionGraph(label, nodes, weights, p);
    }

    /** The kept edges (non-zero weight, pruning applied), row by row, each row's heaviest first. */
    public List<Edge> edges() {
        List<Edge> out = new ArrayList<>();
        int n = nodes.size();
        for (int i = 0; i < n; i++) {
            Integer[] order = new Integer[n];
            for (int j = 0; j < n; j++) order[j] = j;
            final double[] row = weights[i];
            Arrays.sort(order, (a, b) -> row[a] != row[b] ? Double.compare(row[b], row[a]) : Integer.compare(a, b));
            int taken = 0;
            for (int j : order) {
                double v = row[j];
                if (v <= 0 || v < pruning.threshold()) break;
                if (pruning.topK() > 0 && taken == pruning.topK()) break;
                out.add(new Edge(nodes.get(i).index(), nodes.get(j).index(), v));
                taken++;
            }
        }
        return out;
    }

    /** How much attention each node receives: the column sums Σ_i A_ij. */
    public double[] inStrength() {
        int n = nodes.size();
        double[] s = new double[n];
        for (double[] row : weights) for (int j = 0; j < n; j++) s[j] += row[j];
        return s;
    }

    /** Σ_j A_ij for each node (1 for an attention row, unless tokens were dropped without renormalising). */
    public double[] outStrength() {
        double[] s = new double[nodes.size()];
        for (int i = 0; i < s.length; i++) for (double v : weights[i]) s[i] += v;
        return s;
    }

    /**
     * The Shannon entropy of each row, in nats, −Σ_j p_j ln p_j with p the row scaled to sum 1: 0 when a token
     * attends to one token only, ln n when it spreads evenly over n. An all-zero row has entropy 0.
     */
    public double[] rowEntropy() {
        double[] h = new double[nodes.size()];
        for (int i = 0; i < h.length; i++) h[i] = entropy(weights[i]);
        return h;
    }

    static double entropy(double[] row) {
        double sum = 0;
        for (double v : row) sum += v;
        if (sum <= 0) return 0;
        double h = 0;
        for (double v : row) {
            if (v > 0) {
                double p = v / sum;
                h -= p * Math.log(p);
            }
        }
        return h;
    }

    /** JSON: {label, directed, nodes: [{id, index, text, start, end, special, segment, inStrength, entropy}], edges: [{source, target, weight}]}. */
    public String toJson() {
        return GraphFormats.json(this);
    }

    /** GraphML (directed), with node data text/start/end/special/in_strength/entropy and edge data weight. */
    public String toGraphML() {
        return GraphFormats.graphML(this);
    }

    /** Graphviz DOT: a digraph, nodes labelled with their token text, edges with their weight. */
    public String toDot() {
        return GraphFormats.dot(this);
    }

    @Override
    public String toString() {
        return "AttentionGraph[" + label + ", " + nodes.size() + " nodes]";
    }
}
