package dev.mlm4j.explorer;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.model.Encoder;
import dev.mlm4j.model.EncoderOutput;
import dev.mlm4j.model.ForwardOptions;
import dev.mlm4j.model.MaskedLanguageModel;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.tokens.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The attention explorer's entry point: one text (or pair) through a model, every layer's and head's
 * attention kept, as an {@link AttentionView}.
 * <pre>{@code
 * AttentionView v = AttentionExplorer.run(model, tokenizer, "the cat sat on the mat", ExplorerOptions.DEFAULT);
 * double[][] a = v.attention(3, 5);                       // layer 3, head 5: (n, n), rows sum to 1
 * String dot = v.graph(3, 5).withoutSpecialTokens(true).pruned(Pruning.topK(2)).toDot();
 * DirectionComparison c = AttentionExplorer.compare(mlm, tokenizer, "the [MASK] sat on the mat", ExplorerOptions.DEFAULT);
 * }</pre>
 */
public final class AttentionExplorer {
    private AttentionExplorer() {}

    /** One text through the encoder (no fill-mask guesses: a bare encoder has no MLM head). */
    public static AttentionView run(Encoder model, Tokenizer tokenizer, String text, ExplorerOptions options) {
        return run(model, null, tokenizer, text, null, options);
    }

    /** A text pair ([CLS] a [SEP] b [SEP], segment ids 0 then 1) through the encoder. */
    public static AttentionView run(Encoder model, Tokenizer tokenizer, String text, String pair, ExplorerOptions options) {
        return run(model, null, tokenizer, text, pair, options);
    }

    /** One text through an MLM: as {@link #run(Encoder, Tokenizer, String, ExplorerOptions)}, plus fill-mask guesses for each [MASK]. */
    public static AttentionView run(MaskedLanguageModel model, Tokenizer tokenizer, String text, ExplorerOptions options) {
        return run(model.encoder(), model, tokenizer, text, null, options);
    }

    /** A text pair through an MLM; {@code pair} may be null. */
    public static AttentionView run(MaskedLanguageModel model, Tokenizer tokenizer, String text, String pair, ExplorerOptions options) {
        return run(model.encoder(), model, tokenizer, text, pair, options);
    }

    /** The same text through the same model twice, bidirectional then causal (the options' own direction is ignored). */
    public static DirectionComparison compare(MaskedLanguageModel model, Tokenizer tokenizer, String text, String pair, ExplorerOptions options) {
        return new DirectionComparison(run(model, tokenizer, text, pair, options.withCausal(false)),
                run(model, tokenizer, text, pair, options.withCausal(true)));
    }

    /** As {@link #compare(MaskedLanguageModel, Tokenizer, String, String, ExplorerOptions)} on a bare encoder (no predictions). */
    public static DirectionComparison compare(Encoder model, Tokenizer tokenizer, String text, String pair, ExplorerOptions options) {
        return new DirectionComparison(run(model, tokenizer, text, pair, options.withCausal(false)),
                run(model, tokenizer, text, pair, options.withCausal(true)));
    }

    /**
     * The encoding a run would use; fails with a one-line message if the text is empty or longer than
     * {@code maxLength} tokens (0: the model's position table).
     */
    public static Encoding encode(Encoder model, Tokenizer tokenizer, String text, String pair, int maxLength) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("the text is empty");
        if (pair != null && pair.isBlank()) throw new IllegalArgumentException("the second text of the pair is empty");
        int max = model.config().maxPositionEmbeddings();
        if (maxLength > 0) max = Math.min(max, maxLength);
        Encoding e = pair == null ? tokenizer.encode(text, Integer.MAX_VALUE, false)
                : tokenizer.encodePair(text, pair, Integer.MAX_VALUE, false);
        if (e.length() > max) {
            throw new IllegalArgumentException("the text is " + e.length() + " tokens long, over the model's maximum of " + max + " tokens");
        }
        return e;
    }

    private static AttentionView run(Encoder model, MaskedLanguageModel mlm, Tokenizer tokenizer, String text, String pair,
                                     ExplorerOptions options) {
        Encoding e = encode(model, tokenizer, text, pair, options.maxLength());
        ForwardOptions fo = ForwardOptions.causal(options.causal()).withAttentions();
        if (options.scores()) fo = fo.withScores();
        if (options.hiddenStates()) fo = fo.withHiddenStates();
        EncoderOutput out = model.forward(Batch.of(e), fo);

        List<FloatTensor> attentions = new ArrayList<>();
        for (FloatTensor[] layer : out.attentions()) attentions.add(layer[0]);
        List<FloatTensor> scores = new ArrayList<>();
        for (FloatTensor[] layer : out.scores()) scores.add(layer[0]);
        List<MaskPrediction> predictions = mlm == null ? List.of() : predict(mlm, tokenizer, e, out, options.topK());
        return new AttentionView(text, pair, options.causal() ? AttentionMask.Direction.CAUSAL : AttentionMask.Direction.BIDIRECTIONAL,
                Token.of(e, text, pair), e.ids(), attentions, scores, out.hiddenStates(), predictions);
    }

    private static List<MaskPrediction> predict(MaskedLanguageModel mlm, Tokenizer tokenizer, Encoding e, EncoderOutput out, int topK) {
        int mask = tokenizer.maskId();
        int[] rows = java.util.stream.IntStream.range(0, e.length()).filter(i -> e.ids()[i] == mask).toArray();
        if (rows.length == 0) return List.of();
        FloatTensor logits = mlm.logits(out, rows); // (masks, vocab)
        List<MaskPrediction> result = new ArrayList<>();
        for (int r = 0; r < rows.length; r++) {
            int v = logits.dim(1);
            double[] p = new double[v];
            double max = Double.NEGATIVE_INFINITY, z = 0;
            for (int i = 0; i < v; i++) max = Math.max(max, logits.at(r, i));
            for (int i = 0; i < v; i++) z += (p[i] = Math.exp(logits.at(r, i) - max));
            Integer[] order = new Integer[v];
            for (int i = 0; i < v; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
            List<MaskPrediction.Candidate> c = new ArrayList<>();
            for (int k = 0; k < Math.min(topK, v); k++) c.add(new MaskPrediction.Candidate(order[k], tokenizer.token(order[k]), p[order[k]] / z));
            result.add(new MaskPrediction(rows[r], c));
        }
        return result;
    }
}
