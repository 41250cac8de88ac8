package dev.mlm4j.model;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.embeddings.ModernBertEmbeddings;
import dev.mlm4j.encoder.ForwardCapture;
import dev.mlm4j.encoder.LayerState;
import dev.mlm4j.encoder.LayerStatePool;
import dev.mlm4j.encoder.ModernBertEncoderLayer;
import dev.mlm4j.encoder.ModernBertLayerActivations;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code ModernBertModel}: {@link ModernBertEmbeddings} → {@code num_hidden_layers} pre-norm
 * {@link ModernBertEncoderLayer}s (global attention where {@code layer_types} says {@code full_attention}, a sliding
 * window elsewhere) → {@code final_norm}; keys {@code embeddings.*}, {@code layers.N.*}, {@code final_norm} under
 * {@code model.} (a bare model's unprefixed keys also load: its {@code embeddings.*} arrive as mlm4j's canonical
 * {@code bert.embeddings.*}). Rotary positions restart at 0 in each sequence of the packed batch. It trains (scope
 * {@code model}, as every ModernBertFor… names it) with each layer's backward beside its forward and its own activation
 * records ({@link ModernBertLayerActivations}), in memory kept across steps (one training thread at a time).
 */
public final class ModernBertModel extends EncoderModel<ModernBertConfig> implements TrainableEncoder {
    private final ModernBertEmbeddings embeddings;
    private final ModernBertEncoderLayer[] layers;
    private final LayerNorm finalNorm;
    /** The memory of the training states handed out: each layer's record is ModernBERT's own. */
    private final TrainingMemory memory;

    private ModernBertModel(Weights embeddingScope, Weights model, ModernBertConfig c, Precision precision) {
        ModernBertEmbeddings embeddings = new ModernBertEmbeddings(embeddingScope, c);
        ModernBertEncoderLayer[] layers = new ModernBertEncoderLayer[c.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) layers[i] = new ModernBertEncoderLayer(model.prefix("layers", i), c, i, precision);
        LayerNorm finalNorm = LayerNorm.load(model.prefix("final_norm"), c.hiddenSize(), c.normEps(), c.normBias());
        LayerStatePool states = ModernBertEncoderLayer.states(c);
        super(c, embeddings::forward, (k, x, batch, mask, capture) -> encode(layers, finalNorm, states, k, x, batch, mask, capture));
        this.embeddings = embeddings;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.memory = new TrainingMemory(
                (t, batch, dropout) -> new TrainingState(t, batch, c.hiddenSize(), dropout, ModernBertLayerActivations.allocate(t, c, dropout)),
                (base, batch, dropout) -> base.reuse(batch, c, dropout));
    }

    /** The base model in {@code source}: under {@code model.} (every ModernBertFor…) or unprefixed (a bare ModernBertModel). */
    public static ModernBertModel load(TensorSource source, ModernBertConfig config, Precision precision) {
        Weights root = new Weights(source);
        boolean prefixed = source.containsAnyUnder("model.embeddings.");
        return new ModernBertModel(prefixed ? root.prefix("model").prefix("embeddings") : root.prefix("bert").prefix("embeddings"),
                prefixed ? root.prefix("model") : root, config, precision);
    }

    public ModernBertEmbeddings embeddings() {
        return embeddings;
    }

    /** The layers, then {@code final_norm}; ModernBERT has no encoder module holding them (transformers' {@code ModernBertModel.forward}). */
    private static FloatTensor encode(ModernBertEncoderLayer[] layers, LayerNorm finalNorm, LayerStatePool states, Kernels k, FloatTensor x,
                                      Batch batch, AttentionMask mask, ForwardCapture capture) {
        LayerState s = states.take(x.dim(0));                                  // one set of activation buffers for every layer
        for (int i = 0; i < layers.length; i++) {
            layers[i].forward(k, x, batch, mask, s, capture);
            if (i < layers.length - 1) capture.hiddenState(x);
        }
        states.release(s);
        finalNorm.forward(k, x);
        capture.hiddenState(x);                 // as transformers: the last hidden state is after final_norm
        return x;
    }

    // ---- training ------------------------------------------------------------------------------------------

    /**
     * The hidden states and every layer's record ({@link ModernBertLayerActivations}) for {@code batch}, as
     * {@link BertModel#trainingState}: memory allocated for the first batch, grown for a larger one, else reused zero-filled.
     */
    @Override
    public TrainingState trainingState(Batch batch, Dropout dropout) {
        return memory.next(batch, dropout);
    }

    /** Embeddings, every layer under {@code mask}, final_norm, saving activations in {@code s}; returns the last hidden state (T, hidden). */
    @Override
    public FloatTensor forwardTraining(Kernels k, TrainingState s, AttentionMask mask) {
        checkLength(s.batch);
        FloatTensor[] hidden = s.hidden;
        embeddings.forwardTraining(k, s.batch, s.dropout.embeddings(), s.embeddingSum, hidden[0]);
        for (int i = 0; i < layers.length; i++) layers[i].forwardTraining(k, hidden[i], s.batch, mask, s.modernBert[i], hidden[i + 1]);
        FloatTensor last = hidden[layers.length + 1];
        System.arraycopy(hidden[layers.length].data(), hidden[layers.length].offset(), last.data(), last.offset(), last.size());
        finalNorm.forward(k, last);
        return last;
    }

    /** Backward from {@code dLast} (T, hidden); gradients under {@code g} (this model's scope, {@code model}). */
    @Override
    public void backward(Kernels k, TrainingState s, FloatTensor dLast, Gradients g) {
        int t = s.batch.tokens(), h = config.hiddenSize();
        FloatTensor dy = FloatTensor.zeros(t, h), dx = FloatTensor.zeros(t, h);
        finalNorm.backward(k, s.hidden[layers.length], dLast, dy, g.prefix("final_norm"));
        for (int i = layers.length - 1; i >= 0; i--) {
            layers[i].backward(k, s.hidden[i], s.batch, s.modernBert[i], dy, dx, g.prefix("layers", i));
            FloatTensor swap = dy;
            dy = dx;
            dx = swap;
        }
        embeddings.backward(k, s.batch, s.embeddingSum, s.dropout.embeddings(), dy, g.prefix("embeddings"));
    }

    @Override
    public void parameters(Parameters p) {
        embeddings.parameters(p.prefix("embeddings"));
        for (int i = 0; i < layers.length; i++) layers[i].parameters(p.prefix("layers", i));
        finalNorm.parameters(p.prefix("final_norm"));
    }

    @Override
    public FloatTensor wordEmbeddings() {
        return embeddings.tokEmbeddings();
    }

    /** transformers' {@code model}: every ModernBertFor… keeps its encoder under it (a bare model's keys are saved under it once trained). */
    @Override
    public String scope() {
        return "model";
    }

    @Override
    public String wordEmbeddingsKey() {
        return "embeddings.tok_embeddings";
    }
}
