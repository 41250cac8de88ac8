package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;


/** N × BertLayer: transformers' {@code BertEncoder}; keys {@code encoder.layer.0 … encoder.layer.N-1}. */
public final class BertEncoder {
    private final BertLayer[] layers;
    /** The forward's {@link LayerState}, and one idle for the next call. */
    private final LayerStatePool states;

    public BertEncoder(Weights w, BertConfig c, Precision precision) {
        this.states = new LayerStatePool(c.hiddenSize(), c.intermediateSize());
        this.layers = new BertLayer[c.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) layers[i] = new BertLayer(w.prefix("layer", i), c, precision);
    }

    public int layers() {
        return layers.length;
    }

    /**
     * Runs every layer with {@code mask}, updating {@code x} (T, hidden) in place; returns x. Each layer's output
     * (if hidden states are recorded), attention probabilities and scores (if recorded) go to {@code capture}.
     */
    public FloatTensor forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, ForwardCapture capture) {
        int t = x.dim(0);
        LayerState s = states.take(t);
        for (BertLayer layer : layers) {
            layer.forward(k, x, batch, mask, s, capture);
            capture.hiddenState(x);
        }
        states.release(s);
        return x;
    }

    /**
     * The training forward: {@code hidden[0]} (T, hidden) is the embeddings' output; layer i reads {@code hidden[i]},
     * writes {@code hidden[i + 1]} and saves its internals in {@code acts[i]}. Nothing is overwritten, so the backward
     * has every layer's input.
     */
    public void forwardTraining(Kernels k, FloatTensor[] hidden, Batch batch, AttentionMask mask, LayerActivations[] acts) {
        forwardTraining(k, hidden, batch, mask, acts, null);
    }

    /**
     * As {@link #forwardTraining(Kernels, FloatTensor[], Batch, AttentionMask, LayerActivations[])} when the loss reads
     * the last hidden state only at {@code rows} (distinct; null: every row): the last layer computes its output there
     * only ({@link BertLayer#forwardTraining(Kernels, FloatTensor, Batch, AttentionMask, LayerActivations, FloatTensor, int[])}),
     * the last hidden state's other rows are left as they are, and {@link #backward} reads dy at those rows only.
     */
    public void forwardTraining(Kernels k, FloatTensor[] hidden, Batch batch, AttentionMask mask, LayerActivations[] acts, int[] rows) {
        int last = layers.length - 1;
        for (int i = 0; i < last; i++) layers[i].forwardTraining(k, hidden[i], batch, mask, acts[i], hidden[i + 1]);
        if (last < 0) return;
        if (rows == null) layers[last].forwardTraining(k, hidden[last], batch, mask, acts[last], hidden[last + 1]);
        else layers[last].forwardTraining(k, hidden[last], batch, mask, acts[last], hidden[last + 1], rows);
    }

    /** Backward through every layer, last first: dy (T, hidden) at the last output → the gradient at {@code hidden[0]}. */
    public FloatTensor backward(Kernels k, FloatTensor[] hidden, Batch batch, LayerActivations[] acts, FloatTensor dy, Gradients g) {
        for (int i = layers.length - 1; i >= 0; i--) {
            // the other buffer than dy's (dy is dLast or dx[(i + 1) % 2]); a layer on every row writes all of it before it
            // adds to it (its attention output's LayerNorm backward), a layer on rows writes those rows only
            FloatTensor dx = acts[i].rows == null ? acts[i].grads.dx[i % 2] : Parallel.zeroed(acts[i].grads.dx[i % 2]);
            layers[i].backward(k, hidden[i], batch, acts[i], dy, dx, g.prefix("layer", i));
            dy = dx;
        }
        return dy;
    }

    /** Registers every layer's parameters under {@code p}: {@code layer.i.…}. */
    public void parameters(Parameters p) {
        for (int i = 0; i < layers.length; i++) layers[i].parameters(p.prefix("layer", i));
    }
}
