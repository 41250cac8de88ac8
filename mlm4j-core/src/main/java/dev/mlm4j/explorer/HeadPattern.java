package dev.mlm4j.explorer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Simple measurements that find heads a reader recognises (Clark et al., 2019, "What Does BERT Look At?"):
 * each is the mean, over the text's word tokens i (not [CLS]/[SEP]), of one attention weight of row i.
 */
public enum HeadPattern {
    /** A_{i,i+1}: attention to the next token (when it is a word token). */
    NEXT,
    /** A_{i,i−1}: attention to the previous token (when it is a word token). */
    PREVIOUS,
    /** A_{i,i}: attention to itself. */
    SELF,
    /** Attention to [CLS] (the first token). */
    CLS,
    /** Attention to the [SEP] tokens, summed. */
    SEP;

    /** One head's score. */
    public record Score(int layer, int head, double value) {}

    /** This pattern's mean weight for one head (or {@link AttentionView#MEAN}). */
    public double measure(AttentionView v, int layer, int head) {
        double[][] a = v.attention(layer, head);
        List<Token> t = v.tokens();
        int n = t.size();
        double sum = 0;
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (t.get(i).special()) continue;
            double x;
            switch (this) {
                case NEXT -> {
                    if (i + 1 >= n || t.get(i + 1).special()) continue;
                    x = a[i][i + 1];
                }
                case PREVIOUS -> {
                    if (i == 0 || t.get(i - 1).special()) continue;
                    x = a[i][i - 1];
                }
                case SELF -> x = a[i][i];
                case CLS -> x = t.getFirst().special() ? a[i][0] : 0;
                case SEP -> {
                    x = 0;
                    for (int j = 1; j < n; j++) if (t.get(j).special()) x += a[i][j];
                }
                default -> throw new AssertionError(this);
            }
            sum += x;
            count++;
        }
        return count == 0 ? 0 : sum / count;
    }

    /** Every head of every layer, highest score first. */
    public List<Score> rank(AttentionView v) {
        List<Score> out = new ArrayList<>();
        for (int l = 0; l < v.layers(); l++) for (int h = 0; h < v.heads(); h++) out.add(new Score(l, h, measure(v, l, h)));
        out.sort(Comparator.comparingDouble(Score::value).reversed());
        return out;
    }

    /** Parses "next", "previous", "self", "cls", "sep" (any case). */
    public static HeadPattern parse(String s) {
        for (HeadPattern p : values()) if (p.name().equalsIgnoreCase(s.strip())) return p;
        throw new IllegalArgumentException("unknown head pattern '" + s + "': use next, previous, self, cls or sep");
    }
}
