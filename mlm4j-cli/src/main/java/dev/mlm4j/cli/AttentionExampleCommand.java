package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mlm4j.pipelines.AttentionExample;
import dev.mlm4j.pipelines.AttentionExample.Difference;
import dev.mlm4j.pipelines.AttentionExample.Steps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "attention-example",
        mixinStandardHelpOptions = true,
        description = {
                "Prints every step of the seed chapter's attention recipe: Q, K, V, QKᵀ, QKᵀ/√d_k, the mask, A = softmax(rows), h = AV.",
                "With no matrices it runs the chapter's worked example (\"o cão corre\", x = [1, 2, 3], W_Q = W_K = W_V = 1)"
                        + " and says where the chapter's printed numbers are wrong.",
                "Matrices are written row by row: rows separated by ';', values by ',' or spaces, e.g. --x \"1,0;0,1;1,1\"."
        })
final class AttentionExampleCommand implements Callable<Integer> {

    @Option(names = "--x", paramLabel = "MATRIX", description = "Token embeddings X (n × d). Default: the seed's 1;2;3.")
    String x;

    @Option(names = "--wq", paramLabel = "MATRIX", description = "W_Q (d × d_k). Default: identity.")
    String wq;

    @Option(names = "--wk", paramLabel = "MATRIX", description = "W_K (d × d_k). Default: identity.")
    String wk;

    @Option(names = "--wv", paramLabel = "MATRIX", description = "W_V (d × d_v). Default: identity.")
    String wv;

    @Option(names = "--heads", defaultValue = "1", description = "Number of heads the projections are split into (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--tokens", split = ",", paramLabel = "T1,T2,…", description = "Labels for the rows. Default: o,cão,corre for the seed's example, t1,t2,… otherwise.")
    List<String> tokens;

    @Option(names = "--causal", description = "Use the causal mask (token i sees j ≤ i) instead of bidirectional attention.")
    boolean causal;

    @Option(names = "--decimals", defaultValue = "4", description = "Decimals printed (default: ${DEFAULT-VALUE}).")
    int decimals;

    @Mixin
    CommonOptions.Json json;

    @Override
    public Integer call() throws Exception {
        boolean seed = x == null && wq == null && wk == null && wv == null;
        float[][] xm = seed ? AttentionExample.seedX() : Matrices.parse("--x", x == null ? "1;2;3" : x);
        int d = xm[0].length;
        float[][] q = wq == null ? Matrices.identity(d) : Matrices.parse("--wq", wq);
        float[][] k = wk == null ? Matrices.identity(d) : Matrices.parse("--wk", wk);
        float[][] v = wv == null ? Matrices.identity(d) : Matrices.parse("--wv", wv);
        for (var e : Map.of("--wq", q, "--wk", k, "--wv", v).entrySet()) {
            if (e.getValue().length != d) {
                throw new IllegalArgumentException(e.getKey() + " has " + e.getValue().length + " rows but X has " + d + " columns");
            }
        }
        int dq = q[0].length, dv = v[0].length;
        if (dq != k[0].length) throw new IllegalArgumentException("--wq and --wk must have the same number of columns (d_k)");
        if (heads < 1) throw new IllegalArgumentException("--heads must be at least 1");
        if (dq % heads != 0 || dv % heads != 0) {
            throw new IllegalArgumentException("--heads " + heads + " does not divide d_k = " + dq + " and d_v = " + dv);
        }
        if (decimals < 0 || decimals > 9) throw new IllegalArgumentException("--decimals must be between 0 and 9");
        List<String> labels = tokens != null ? tokens : seed ? AttentionExample.SEED_TOKENS : defaultLabels(xm.length);
        if (labels.size() != xm.length) {
            throw new IllegalArgumentException("--tokens has " + labels.size() + " labels for " + xm.length + " rows of X");
        }
        AttentionExample.Seed seedRun = seed ? AttentionExample.seed(causal) : null;
        Steps steps = seed ? seedRun.steps() : AttentionExample.run(xm, q, k, v, heads, causal);
        List<Difference> diffs = seed ? seedRun.differences() : List.of();

        PrintStream out = System.out;
        if (json.on) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toJson(labels, steps, diffs, seed)));
            return 0;
        }
        out.println((seed ? "The seed's worked example: \"" + String.join(" ", labels) + "\", " : "Tokens " + labels + ", ")
                + (causal ? "CAUSAL mask (token i sees j ≤ i)" : "BIDIRECTIONAL (no mask: every token sees every other)"));
        out.print("\nX =\n" + Matrices.format(xm, decimals));
        out.print("Q = X W_Q =\n" + Matrices.format(steps.q(), decimals));
        out.print("K = X W_K =\n" + Matrices.format(steps.k(), decimals));
        out.print("V = X W_V =\n" + Matrices.format(steps.v(), decimals));
        int dk = dq / heads;
        for (int h = 0; h < heads; h++) {
            String head = heads > 1 ? " (head " + h + ")" : "";
            out.print("\n1. QKᵀ" + head + " =\n" + Matrices.format(steps.rawScores()[h], decimals));
            out.print("2. QKᵀ/√d_k, d_k = " + dk + head + " =\n" + Matrices.format(steps.scaledScores()[h], decimals));
            if (causal) out.print("3. causal mask (−∞ above the diagonal)" + head + " =\n" + Matrices.format(steps.maskedScores()[h], decimals));
            else out.println("3. no mask: bidirectional attention keeps every score.");
            out.print("4. A = softmax(rows)" + head + " =\n" + Matrices.format(steps.probabilities()[h], decimals));
        }
        out.print("5. h = A V =\n" + Matrices.format(steps.output(), decimals));
        if (seed && !causal) {
            out.println();
            if (diffs.isEmpty()) {
                out.println("The chapter's printed numbers agree with this computation.");
            } else {
                out.println("Where the chapter's printed numbers differ (it prints every row of A as [0.09, 0.24, 0.67] and every h as 2.58):");
                for (Difference diff : diffs) {
                    out.println("  " + diff.what() + " row " + (diff.row() + 1) + " (" + labels.get(diff.row()) + "): printed "
                            + fmt(diff.printed(), 2) + ", correct " + fmt(diff.computed(), decimals));
                }
                out.println("Only row 1 is right: row i of QKᵀ is x_i·[1, 2, 3], so each token puts more weight on \"corre\" the larger its own x_i.");
            }
        }
        return 0;
    }

    private static List<String> defaultLabels(int n) {
        List<String> l = new ArrayList<>();
        for (int i = 1; i <= n; i++) l.add("t" + i);
        return l;
    }

    private static String fmt(float[] v, int decimals) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(String.format(java.util.Locale.ROOT, "%." + decimals + "f", v[i]));
        }
        return sb.append(']').toString();
    }

    private Map<String, Object> toJson(List<String> labels, Steps s, List<Difference> diffs, boolean seed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tokens", labels);
        m.put("mask", causal ? "causal" : "bidirectional");
        m.put("q", s.q());
        m.put("k", s.k());
        m.put("v", s.v());
        List<Map<String, Object>> hs = new ArrayList<>();
        for (int h = 0; h < s.probabilities().length; h++) {
            Map<String, Object> head = new LinkedHashMap<>();
            head.put("qk", s.rawScores()[h]);
            head.put("scaled", s.scaledScores()[h]);
            head.put("masked", nullInf(s.maskedScores()[h]));
            head.put("a", s.probabilities()[h]);
            hs.add(head);
        }
        m.put("heads", hs);
        m.put("h", s.output());
        if (seed && !causal) {
            List<Map<String, Object>> d = new ArrayList<>();
            for (Difference diff : diffs) {
                d.add(Map.of("what", diff.what(), "row", diff.row() + 1, "printed", diff.printed(), "correct", diff.computed()));
            }
            m.put("seedDifferences", d);
        }
        return m;
    }

    /** JSON has no −∞: masked scores are written as null. */
    private static Object[][] nullInf(float[][] m) {
        Object[][] o = new Object[m.length][];
        for (int i = 0; i < m.length; i++) {
            o[i] = new Object[m[i].length];
            for (int j = 0; j < m[i].length; j++) o[i][j] = Float.isInfinite(m[i][j]) ? null : (Object) m[i][j];
        }
        return o;
    }
}
