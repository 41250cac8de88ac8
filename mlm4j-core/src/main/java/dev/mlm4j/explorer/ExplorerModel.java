package dev.mlm4j.explorer;

import dev.mlm4j.config.Precision;
import dev.mlm4j.model.Encoder;
import dev.mlm4j.model.MaskedLanguageModel;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.tokens.Tokenizer;

/**
 * A model ready for the explorer: the encoder, its MLM head when the checkpoint has one (for fill-mask
 * guesses), the tokenizer and the longest input. Front ends hold one of these and nothing else.
 *
 * @param name      what to call the model in titles
 * @param encoder   the encoder whose attention is shown
 * @param mlm       the encoder with its masked-LM head, or null when the checkpoint has none
 * @param tokenizer the model's own tokenizer
 * @param maxLength the longest input in tokens
 */
public record ExplorerModel(String name, Encoder encoder, MaskedLanguageModel mlm, Tokenizer tokenizer, int maxLength) {

    public ExplorerModel {
        if (encoder == null || tokenizer == null) throw new IllegalArgumentException("an explorer model needs an encoder and a tokenizer");
        if (mlm != null && mlm.encoder() != encoder) throw new IllegalArgumentException("the MLM must wrap the same encoder");
        if (maxLength <= 0) maxLength = encoder.config().maxPositionEmbeddings();
    }

    public static ExplorerModel of(String name, MaskedLanguageModel mlm, Tokenizer tokenizer, int maxLength) {
        return new ExplorerModel(name, mlm.encoder(), mlm, tokenizer, maxLength);
    }

    /**
     * A catalogued model name or a model folder, resolved through the hub (downloaded and cached on first use),
     * on the model {@link Models#load} shares with the fill-mask and embeddings pipelines (one copy of the weights,
     * at the precision {@code -Dmlm4j.weights} selects).
     */
    public static ExplorerModel load(String nameOrPath) {
        Models.Loaded m = Models.load(nameOrPath, null, Precision.fromProperty());
        return new ExplorerModel(m.card().map(card -> card.name()).orElse(nameOrPath), m.encoder(), m.maskedLm(), m.tokenizer(), m.maxLength());
    }

    public int layers() {
        return encoder.config().numHiddenLayers();
    }

    public int heads() {
        return encoder.config().numAttentionHeads();
    }

    /** Fails with a one-line message unless the layer exists and the head exists or is {@link AttentionView#MEAN}. */
    public void checkHead(int layer, int head) {
        if (layer < 0 || layer >= layers()) {
            throw new IllegalArgumentException("layer " + layer + " is out of range: the model has " + layers() + " layers (0–" + (layers() - 1) + ")");
        }
        if (head != AttentionView.MEAN && (head < 0 || head >= heads())) {
            throw new IllegalArgumentException("head " + head + " is out of range: the model has " + heads() + " heads per layer (0–" + (heads() - 1) + ")");
        }
    }

    /** One run (direction as in the options); pair may be null. */
    public AttentionView run(String text, String pair, ExplorerOptions options) {
        ExplorerOptions o = options.maxLength() == 0 ? options.withMaxLength(maxLength) : options;
        return mlm != null ? AttentionExplorer.run(mlm, tokenizer, text, pair, o) : AttentionExplorer.run(encoder, tokenizer, text, pair, o);
    }

    /** Bidirectional and causal runs of the same text. */
    public DirectionComparison compare(String text, String pair, ExplorerOptions options) {
        return new DirectionComparison(run(text, pair, options.withCausal(false)), run(text, pair, options.withCausal(true)));
    }
}
