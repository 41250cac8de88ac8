package dev.mlm4j.explorer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The seed's contrast, measured: the same text through the same model once bidirectionally (the MLM as
 * trained) and once with the causal mask. The causal run's matrices are lower-triangular: row i spreads
 * over at most i + 1 tokens, so its entropy is at most ln(i + 1); and a [MASK] is guessed from its left
 * context only. (From layer 2 on the rows differ for a second reason too: the tokens' vectors differ.)
 */
public record DirectionComparison(AttentionView bidirectional, AttentionView causal) {

    public DirectionComparison {
        if (bidirectional.causal() || !causal.causal()) throw new IllegalArgumentException("need one bidirectional and one causal view");
        if (bidirectional.length() != causal.length()) throw new IllegalArgumentException("the two views have different tokens");
    }

    /** Per row: entropy under the causal mask minus entropy bidirectionally (nats), for one head or {@link AttentionView#MEAN}. */
    public double[] entropyChange(int layer, int head) {
        double[] b = bidirectional.rowEntropy(layer, head), c = causal.rowEntropy(layer, head);
        double[] d = new double[b.length];
        for (int i = 0; i < d.length; i++) d[i] = c[i] - b[i];
        return d;
    }

    /** Mean row entropy of each layer (averaged over heads and rows): [layer][0] bidirectional, [layer][1] causal. */
    public double[][] meanEntropyByLayer() {
        int layers = bidirectional.layers(), heads = bidirectional.heads();
        double[][] m = new double[layers][2];
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                m[l][0] += mean(bidirectional.rowEntropy(l, h)) / heads;
                m[l][1] += mean(causal.rowEntropy(l, h)) / heads;
            }
        }
        return m;
    }

    /** How one [MASK]'s guess changed. */
    public record PredictionChange(int position, MaskPrediction bidirectional, MaskPrediction causal) {
        public boolean topChanged() {
            return bidirectional.best().id() != causal.best().id();
        }
    }

    /** One entry per [MASK]; empty when the text has none or the model has no MLM head. */
    public List<PredictionChange> predictionChanges() {
        List<PredictionChange> out = new ArrayList<>();
        for (int i = 0; i < bidirectional.predictions().size(); i++) {
            out.add(new PredictionChange(bidirectional.predictions().get(i).position(), bidirectional.predictions().get(i),
                    causal.predictions().get(i)));
        }
        return out;
    }

    /** A few lines for a terminal: how the prediction and the row entropy of {@code layer}/{@code head} changed. */
    public List<String> summary(int layer, int head) {
        List<String> lines = new ArrayList<>();
        for (PredictionChange p : predictionChanges()) {
            lines.add(String.format(Locale.ROOT, "[MASK] at token %d: bidirectional '%s' (%.3f), causal '%s' (%.3f)%s",
                    p.position(), p.bidirectional().best().token(), p.bidirectional().best().probability(),
                    p.causal().best().token(), p.causal().best().probability(),
                    p.topChanged() ? " — the causal mask changes the guess" : " — same guess"));
        }
        String what = "layer " + layer + (head == AttentionView.MEAN ? " mean over heads" : " head " + head);
        double[] b = bidirectional.rowEntropy(layer, head), c = causal.rowEntropy(layer, head);
        lines.add(String.format(Locale.ROOT, "row entropy, %s (nats): bidirectional mean %.3f, causal mean %.3f", what, mean(b), mean(c)));
        StringBuilder rows = new StringBuilder("  per token (bidirectional → causal):");
        for (int i = 0; i < b.length; i++) {
            rows.append(String.format(Locale.ROOT, " %s %.2f→%.2f", bidirectional.tokens().get(i).text(), b[i], c[i]));
        }
        lines.add(rows.toString());
        return lines;
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return v.length == 0 ? 0 : s / v.length;
    }
}
