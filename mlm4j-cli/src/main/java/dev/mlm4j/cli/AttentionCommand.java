package dev.mlm4j.cli;

import dev.mlm4j.explorer.AttentionGraph;
import dev.mlm4j.explorer.AttentionView;
import dev.mlm4j.explorer.DirectionComparison;
import dev.mlm4j.explorer.ExplorerModel;
import dev.mlm4j.explorer.ExplorerOptions;
import dev.mlm4j.explorer.HeadPattern;
import dev.mlm4j.explorer.Heatmap;
import dev.mlm4j.explorer.HtmlPage;
import dev.mlm4j.explorer.MaskPrediction;
import dev.mlm4j.explorer.Outputs;
import dev.mlm4j.explorer.Pruning;
import dev.mlm4j.explorer.Token;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "attention",
        mixinStandardHelpOptions = true,
        description = {
                "Shows a real model's attention: every head's matrix as numbers, as a token graph (JSON, GraphML, DOT),",
                "as a heatmap (PNG, SVG) and as one interactive HTML page; bidirectional versus causal side by side.",
                "Example: ./mlm4j attention \"The dog chased the cat.\" --layer 2 --head 0 --png head.png --html page.html"
        })
final class AttentionCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "TEXT", description = "The text (may contain [MASK]).")
    String text;

    @Option(names = "--pair", paramLabel = "TEXT", description = "A second text: the model sees [CLS] TEXT [SEP] PAIR [SEP].")
    String pair;

    @Mixin
    CommonOptions.MaskedLmModel model;

    @Option(names = "--layer", defaultValue = "0", description = "Layer, from 0 (default: ${DEFAULT-VALUE}).")
    int layer;

    @Option(names = "--head", defaultValue = "0", paramLabel = "H|mean", description = "Head, from 0, or 'mean' for the mean over heads (default: ${DEFAULT-VALUE}).")
    String head;

    @Option(names = "--causal", description = "Show the run with the causal mask (token i sees j ≤ i) instead of the bidirectional one.")
    boolean causal;

    @Option(names = "--compare", description = "Run both masks and say how the fill-mask guess and the row entropy change.")
    boolean compare;

    @Option(names = "--graph", defaultValue = "head", paramLabel = "head|rollout|flow",
            description = "Which graph --json/--graphml/--dot write: the chosen head, attention rollout, or attention flow (default: ${DEFAULT-VALUE}).")
    String graph;

    @Option(names = "--flow-target", defaultValue = "0", paramLabel = "TOKEN",
            description = "For --graph flow: the output token the flow goes into (index; default ${DEFAULT-VALUE}, [CLS]), or 'all'.")
    String flowTarget;

    @Option(names = "--drop-special", description = "Leave [CLS]/[SEP] out of the graph and renormalise the remaining rows.")
    boolean dropSpecial;

    @Option(names = "--threshold", defaultValue = "0", description = "Graph: keep edges with weight ≥ this (default: ${DEFAULT-VALUE}).")
    double threshold;

    @Option(names = "--top-edges", defaultValue = "0", paramLabel = "K", description = "Graph: keep each token's K heaviest edges (default: all).")
    int topEdges;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the graph as JSON.")
    Path json;

    @Option(names = "--graphml", paramLabel = "FILE", description = "Write the graph as GraphML.")
    Path graphml;

    @Option(names = "--dot", paramLabel = "FILE", description = "Write the graph as Graphviz DOT.")
    Path dot;

    @Option(names = "--png", paramLabel = "FILE", description = "Write the heatmap as PNG.")
    Path png;

    @Option(names = "--svg", paramLabel = "FILE", description = "Write the heatmap as SVG.")
    Path svg;

    @Option(names = "--grid", description = "Make --png/--svg show all layers × heads as small multiples.")
    boolean grid;

    @Option(names = "--html", paramLabel = "FILE", description = "Write one self-contained interactive page (both masks; opens offline).")
    Path html;

    @Option(names = "--rank", paramLabel = "next|previous|self|cls|sep",
            description = "List the heads that most attend to the next/previous token, themselves, [CLS] or [SEP].")
    String rank;

    @Option(names = "--scores", description = "Also print the head's scaled scores QKᵀ/√d_k before the mask.")
    boolean scores;

    @Option(names = "--decimals", defaultValue = "2", description = "Decimals in printed matrices (default: ${DEFAULT-VALUE}).")
    int decimals;

    /** Matrices wider than this many tokens are not printed (the files have them). */
    static final int PRINT_MAX_TOKENS = 32;

    @Override
    public Integer call() throws Exception {
        int h = parseHead(head);
        if (!List.of("head", "rollout", "flow").contains(graph)) throw new IllegalArgumentException("--graph must be head, rollout or flow, got '" + graph + "'");
        if (threshold < 0) throw new IllegalArgumentException("--threshold must be ≥ 0");
        if (topEdges < 0) throw new IllegalArgumentException("--top-edges must be ≥ 0");
        if (decimals < 0 || decimals > 6) throw new IllegalArgumentException("--decimals must be between 0 and 6");
        if (scores && h == AttentionView.MEAN) throw new IllegalArgumentException("--scores needs one head, not the mean");
        if (grid && png == null && svg == null) throw new IllegalArgumentException("--grid draws into --png or --svg; give one of them");
        HeadPattern pattern = rank == null ? null : HeadPattern.parse(rank);
        Map<String, Path> outputs = new LinkedHashMap<>();
        for (var e : new Object[][] {{"--json", json}, {"--graphml", graphml}, {"--dot", dot}, {"--png", png}, {"--svg", svg}, {"--html", html}}) {
            if (e[1] == null) continue;
            Path p = (Path) e[1];
            if (outputs.containsValue(p)) throw new IllegalArgumentException("two outputs go to the same file " + p);
            Outputs.checkWritable(p);
            outputs.put((String) e[0], p);
        }

        ExplorerModel m = ExplorerModel.load(model.name);
        m.checkHead(layer, h);
        ExplorerOptions options = ExplorerOptions.DEFAULT.withCausal(causal);
        if (scores) options = options.withScores();
        DirectionComparison both = compare || html != null ? m.compare(text, pair, options) : null;
        AttentionView view = both == null ? m.run(text, pair, options) : causal ? both.causal() : both.bidirectional();

        // Everything is computed before anything is written or printed.
        Map<Path, byte[]> files = new LinkedHashMap<>();
        List<String> wrote = new ArrayList<>();
        if (json != null || graphml != null || dot != null) {
            AttentionGraph g = graph(view, h);
            if (json != null) files.put(json, utf8(g.toJson()));
            if (graphml != null) files.put(graphml, utf8(g.toGraphML()));
            if (dot != null) files.put(dot, utf8(g.toDot()));
            wrote.add("graph '" + g.label() + "': " + g.size() + " nodes, " + g.edges().size() + " edges");
        }
        if (png != null || svg != null) {
            Heatmap picture = grid ? Heatmap.grid(view, m.name()) : Heatmap.of(view, layer, h, m.name());
            if (png != null) files.put(png, picture.png());
            if (svg != null) files.put(svg, utf8(picture.svg()));
            wrote.add((grid ? "grid of all layers × heads" : "heatmap") + ", " + picture.width() + "×" + picture.height() + " px");
        }
        if (html != null) files.put(html, utf8(HtmlPage.of(m.name(), both, layer, h)));

        StringBuilder out = new StringBuilder();
        report(out, m, view, h);
        if (pattern != null) rank(out, view, pattern);
        if (both != null && compare) {
            out.append("\nbidirectional versus causal:\n");
            for (String line : both.summary(layer, h)) out.append("  ").append(line).append('\n');
        }
        for (var f : files.entrySet()) Outputs.write(f.getKey(), f.getValue());
        for (String w : wrote) out.append('\n').append(w);
        if (!files.isEmpty()) {
            if (!wrote.isEmpty()) out.append('\n');
            for (Path p : files.keySet()) out.append("wrote ").append(p).append('\n');
        }
        System.out.print(out);
        return 0;
    }

    static int parseHead(String s) {
        if (s.equalsIgnoreCase("mean")) return AttentionView.MEAN;
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--head must be a number or 'mean', got '" + s + "'");
        }
    }

    private AttentionGraph graph(AttentionView v, int h) {
        if (dropSpecial && graph.equals("flow") && !flowTarget.equalsIgnoreCase("all")) {
            int t = parseTarget(flowTarget, v);
            if (t >= 0 && t < v.length() && v.tokens().get(t).special()) {
                throw new IllegalArgumentException("--drop-special would drop the flow's target token " + t + " (" + v.tokens().get(t).text()
                        + "); choose a word token as --flow-target, or keep the special tokens");
            }
        }
        AttentionGraph g = switch (graph) {
            case "rollout" -> v.rollout();
            case "flow" -> flowTarget.equalsIgnoreCase("all") ? v.flowAll() : v.flow(parseTarget(flowTarget, v));
            default -> v.graph(layer, h);
        };
        if (dropSpecial) g = g.withoutSpecialTokens(true);
        return g.pruned(new Pruning(threshold, topEdges));
    }

    private static int parseTarget(String s, AttentionView v) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--flow-target must be a token index (0–" + (v.length() - 1) + ") or 'all', got '" + s + "'");
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void report(StringBuilder out, ExplorerModel m, AttentionView v, int h) {
        int n = v.length();
        String what = "layer " + layer + ", " + (h == AttentionView.MEAN ? "mean over heads" : "head " + h);
        out.append(m.name()).append(" · ").append(what).append(" · ").append(v.directionName()).append(" · ").append(n).append(" tokens\n");
        StringBuilder toks = new StringBuilder(" ");
        for (Token t : v.tokens()) toks.append(' ').append(t.index()).append(':').append(t.text());
        out.append(toks).append('\n');
        double[][] a = v.attention(layer, h);
        if (n <= PRINT_MAX_TOKENS) {
            out.append("\nattention (row i attends to column j; rows sum to 1):\n");
            matrix(out, v, a);
            if (scores) {
                out.append("\nscaled scores QKᵀ/√d_k before the mask:\n");
                matrix(out, v, v.scores(layer, h));
            }
        } else {
            out.append("\n(").append(n).append(" tokens: the matrix is not printed; write it with --json, --png or --html)\n");
        }
        double[] entropy = v.rowEntropy(layer, h);
        double[] in = v.graph(layer, h).inStrength();
        out.append("\nrow entropy (nats) and in-strength (attention received):\n");
        for (int i = 0; i < n; i++) {
            out.append(String.format(Locale.ROOT, "  %3d %-14s entropy %.3f  in-strength %.3f%n", i, clip(v.tokens().get(i).text(), 14), entropy[i], in[i]));
        }
        for (MaskPrediction p : v.predictions()) {
            StringBuilder sb = new StringBuilder("\n[MASK] at token " + p.position() + " (" + v.directionName() + "):");
            for (MaskPrediction.Candidate c : p.candidates()) sb.append(String.format(Locale.ROOT, " %s %.4f", c.token(), c.probability()));
            out.append(sb).append('\n');
        }
    }

    private void matrix(StringBuilder out, AttentionView v, double[][] a) {
        int n = a.length, w = Math.max(decimals + 4, 7);
        out.append(" ".repeat(10));
        for (int j = 0; j < n; j++) out.append(String.format(Locale.ROOT, "%" + w + "s", clip(v.tokens().get(j).text(), w - 1)));
        out.append('\n');
        for (int i = 0; i < n; i++) {
            out.append(String.format(Locale.ROOT, "%-10s", clip(v.tokens().get(i).text(), 9)));
            for (int j = 0; j < n; j++) out.append(String.format(Locale.ROOT, "%" + w + "." + decimals + "f", a[i][j]));
            out.append('\n');
        }
    }

    private static void rank(StringBuilder out, AttentionView v, HeadPattern p) {
        out.append("\nheads ranked by mean attention to ").append(switch (p) {
            case NEXT -> "the next token";
            case PREVIOUS -> "the previous token";
            case SELF -> "the token itself";
            case CLS -> "[CLS]";
            case SEP -> "[SEP]";
        }).append(" (").append(v.directionName()).append("):\n");
        for (HeadPattern.Score s : p.rank(v).subList(0, Math.min(10, v.layers() * v.heads()))) {
            out.append(String.format(Locale.ROOT, "  layer %2d head %2d  %.3f%n", s.layer(), s.head(), s.value()));
        }
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
