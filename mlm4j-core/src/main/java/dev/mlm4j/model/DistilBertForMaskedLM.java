package dev.mlm4j.model;

import dev.mlm4j.config.DistilBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code DistilBertForMaskedLM}: {@link DistilBertModel} (keys {@code distilbert.*}) and its MLM head,
 * {@code vocab_projector(vocab_layer_norm(gelu(vocab_transform(h))))}; {@code vocab_projector.weight} is tied to the
 * word embeddings ({@code save_pretrained} leaves it out), its bias is its own.
 */
public final class DistilBertForMaskedLM implements MaskedLanguageModel {
    private final DistilBertModel distilbert;
    private final Linear vocabTransform;      // dim → dim
    private final LayerNorm vocabLayerNorm;
    private final FloatTensor vocabProjector; // (vocab, dim), tied to distilbert.embeddings.word_embeddings
    private final FloatTensor vocabBias;      // (vocab)

    private DistilBertForMaskedLM(Weights root, DistilBertConfig c, Precision precision) {
        this.distilbert = DistilBertFamily.model(root.source(), c, precision);
        this.vocabTransform = Linear.load(root.prefix("vocab_transform"), c.dim(), c.dim(), precision);
        this.vocabLayerNorm = LayerNorm.load(root.prefix("vocab_layer_norm"), c.dim(), DistilBertConfig.LAYER_NORM_EPS);
        Weights projector = root.prefix("vocab_projector");
        this.vocabProjector = projector.has("weight") ? projector.tensor("weight", c.vocabSize(), c.dim())
                : distilbert.embeddings().wordEmbeddings();
        this.vocabBias = projector.tensor("bias", c.vocabSize());
    }

    public static DistilBertForMaskedLM load(TensorSource source, DistilBertConfig config, Precision precision) {
        return new DistilBertForMaskedLM(new Weights(source), config, precision);
    }

    /** Whether a checkpoint carries the MLM head: any {@code vocab_*} tensor (a missing one is then named at load). */
    public static boolean hasHead(TensorSource source) {
        return source.containsAnyUnder("vocab_transform.") || source.containsAnyUnder("vocab_projector.")
                || source.containsAnyUnder("vocab_layer_norm.");
    }

    @Override
    public DistilBertModel encoder() {
        return distilbert;
    }

    @Override
    public int vocabSize() {
        return vocabProjector.dim(0);
    }

    @Override
    public FloatTensor logits(EncoderOutput output, int[] rows) {
        Kernels k = Kernels.get();
        FloatTensor h = output.lastHiddenRows(rows);
        FloatTensor t = vocabTransform.forwardGelu(k, h);
        vocabLayerNorm.forward(k, t);
        FloatTensor logits = FloatTensor.zeros(h.dim(0), vocabProjector.dim(0));
        k.matmulTransposed(t, vocabProjector, logits);
        k.addBias(logits, vocabBias);
        return logits;
    }
}
