package dev.mlm4j.explorer;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.tensor.FloatTensor;

import java.util.List;

/**
 * Everything one forward pass showed about one text (or text pair): its tokens, every layer's and head's
 * attention matrix, optionally the pre-mask scores and hidden states, the fill-mask guesses, and builders
 * for the token graphs of {@link AttentionGraph}.
 *
 * <p>Layers and heads count from 0. {@link #MEAN} as a head means the average over all heads of a layer.
 */
public final class AttentionView {
    /** The head index that stands for the mean over a layer's heads. */
    public static final int MEAN = -1;

    private final String text, pair;
    private final AttentionMask.Direction direction;
    private final List<Token> tokens;
    private final int[] ids;
    private final List<FloatTensor> attentions;   // [layer] (heads, n, n)
    private final List<FloatTensor> scores;       // [layer] (heads, n, n) or empty
    private final List<FloatTensor> hiddenStates; // [embeddings, layer 1 …] (n, hidden) or empty
    private final List<MaskPrediction> predictions;

    AttentionView(String text, String pair, AttentionMask.Direction direction, List<Token> tokens, int[] ids,
                  List<FloatTensor> attentions, List<FloatTensor> scores, List<FloatTensor> hiddenStates,
                  List<MaskPrediction> predictions) {
        if (attentions.isEmpty()) throw new IllegalArgumentException("a view needs at least one layer of attention");
        this.text = text;
        this.pair = pair;
        this.direction = direction;
        this.tokens = List.copyOf(tokens);
        this.ids = ids.clone();
        this.attentions = List.copyOf(attentions);
        this.scores = List.copyOf(scores);
        this.hiddenStates = List.copyOf(hiddenStates);
        this.predictions = List.copyOf(predictions);
        for (FloatTensor a : attentions) a.requireShape("attention", heads(), tokens.size(), tokens.size());
    }

    /** A view over given matrices (e.g. from another engine, or made up for a picture); no predictions. */
    public static AttentionView of(List<Token> tokens, AttentionMask.Direction direction, List<FloatTensor> attentions) {
        return new AttentionView(String.join(" ", tokens.stream().map(Token::text).toList()), null, direction, tokens,
                new int[tokens.size()], attentions, List.of(), List.of(), List.of());
    }

    public String text() {
        return text;
    }

    /** The second text of a pair, or null. */
    public String pair() {
        return pair;
    }

    public AttentionMask.Direction direction() {
        return direction;
    }

    public boolean causal() {
        return direction == AttentionMask.Direction.CAUSAL;
    }

    public List<Token> tokens() {
        return tokens;
    }

    public int[] ids() {
        return ids.clone();
    }

    /** Number of tokens n. */
    public int length() {
        return tokens.size();
    }

    public int layers() {
        return attentions.size();
    }

    public int heads() {
        return attentions.getFirst().dim(0);
    }

    /** Layer {@code layer}'s attention, (heads, n, n); shared, do not modify. */
    public FloatTensor attentions(int layer) {
        checkLayer(layer);
        return attentions.get(layer);
    }

    /** A_ij of one head (or {@link #MEAN}), as (n, n) doubles: row i is token i's attention over the tokens. */
    public double[][] attention(int layer, int head) {
        checkHead(layer, head);
        FloatTensor a = attentions.get(layer);
        int n = length();
        double[][] m = new double[n][n];
        if (head == MEAN) {
            int h = heads();
            for (int k = 0; k < h; k++) addInto(m, a.row(k), 1.0 / h);
        } else {
            addInto(m, a.row(head), 1.0);
        }
        return m;
    }

    private static void addInto(double[][] m, FloatTensor t, double scale) {
        for (int i = 0; i < m.length; i++) for (int j = 0; j < m.length; j++) m[i][j] += scale * t.at(i, j);
    }

    public boolean hasScores() {
        return !scores.isEmpty();
    }

    /** QKᵀ/√d_k of one head before the mask (so unmasked even in a causal run); needs {@link ExplorerOptions#scores()}. */
    public double[][] scores(int layer, int head) {
        if (!hasScores()) throw new IllegalStateException("scores were not requested for this run (ExplorerOptions.withScores())");
        checkHead(layer, head);
        if (head == MEAN) throw new IllegalArgumentException("scores are per head; the mean over heads is not defined for them");
        double[][] m = new double[length()][length()];
        addInto(m, scores.get(layer).row(head), 1.0);
        return m;
    }

    /** [embeddings output, layer 1 output, …], each (n, hidden); empty unless requested. */
    public List<FloatTensor> hiddenStates() {
        return hiddenStates;
    }

    /** Fill-mask guesses, one per [MASK] in the text; empty without [MASK] or without an MLM head. */
    public List<MaskPrediction> predictions() {
        return predictions;
    }

    /** The entropy of each row of one head (or the mean), in nats. */
    public double[] rowEntropy(int layer, int head) {
        double[][] a = attention(layer, head);
        double[] h = new double[a.length];
        for (int i = 0; i < a.length; i++) h[i] = AttentionGraph.entropy(a[i]);
        return h;
    }

    /** The token graph of one head (or {@link #MEAN}) of one layer. */
    public AttentionGraph graph(int layer, int head) {
        String what = "layer " + layer + (head == MEAN ? " mean over heads" : " head " + head);
        return AttentionGraph.of(what + " (" + directionName() + ")", tokens, attention(layer, head));
    }

    /** Attention rollout across all layers (see {@link CrossLayer#rollout}). */
    public AttentionGraph rollout() {
        return AttentionGraph.of("attention rollout over " + layers() + " layers (" + directionName() + ")", tokens,
                CrossLayer.rollout(meanAttentions()));
    }

    /** Attention flow from every input token into output token {@code target} (only that row has edges). */
    public AttentionGraph flow(int target) {
        if (target < 0 || target >= length()) {
            throw new IllegalArgumentException("flow target " + target + " is out of range: the text has " + length() + " tokens (0–" + (length() - 1) + ")");
        }
        double[][] f = new double[length()][length()];
        f[target] = CrossLayer.flow(meanAttentions(), target);
        return AttentionGraph.of("attention flow into token " + target + " '" + tokens.get(target).text() + "' over "
                + layers() + " layers (" + directionName() + ")", tokens, f);
    }

    /** Attention flow from every input token into every output token (bounded, see {@link CrossLayer}). */
    public AttentionGraph flowAll() {
        return AttentionGraph.of("attention flow over " + layers() + " layers (" + directionName() + ")", tokens,
                CrossLayer.flowAll(meanAttentions()));
    }

    private double[][][] meanAttentions() {
        double[][][] m = new double[layers()][][];
        for (int l = 0; l < m.length; l++) m[l] = attention(l, MEAN);
        return m;
    }

    public String directionName() {
        return causal() ? "causal" : "bidirectional";
    }

    /** Throws a one-line message unless 0 ≤ layer < layers. */
    public void checkLayer(int layer) {
        if (layer < 0 || layer >= layers()) {
            throw new IllegalArgumentException("layer " + layer + " is out of range: the model has " + layers() + " layers (0–" + (layers() - 1) + ")");
        }
    }

    /** Throws a one-line message unless the layer is valid and 0 ≤ head < heads or head is {@link #MEAN}. */
    public void checkHead(int layer, int head) {
        checkLayer(layer);
        if (head != MEAN && (head < 0 || head >= heads())) {
            throw new IllegalArgumentException("head " + head + " is out of range: the model has " + heads() + " heads per layer (0–" + (heads() - 1) + ")");
        }
    }
}
