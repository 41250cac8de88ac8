package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DistilBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;


/**
 * transformers' DistilBERT {@code Transformer}: {@code n_layers} × {@link DistilBertTransformerBlock}, keys
 * {@code layer.N.*}. Borrows one layer workspace as {@link BertEncoder} does (allocates another when a thread holds it);
 * trains as it does, each block's activations in its own {@link LayerActivations}.
 */
public final class DistilBertTransformer {
    private final DistilBertTransformerBlock[] layers;
    private final LayerStatePool states;

    public DistilBertTransformer(Weights w, DistilBertConfig c, Precision precision) {
        this.states = new LayerStatePool(c.dim(), c.hiddenDim());
        this.layers = new DistilBertTransformerBlock[c.nLayers()];
        for (int i = 0; i < layers.length; i++) layers[i] = new DistilBertTransformerBlock(w.prefix("layer", i), c, precision);
    }

    /** x (T, dim), updated in place through every block and returned; each block's output goes to {@code capture}. */
    public FloatTensor forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, ForwardCapture capture) {
        int t = x.dim(0);
        LayerState s = states.take(t);
        for (DistilBertTransformerBlock layer : layers) {
            layer.forward(k, x, batch, mask, s, capture);
            capture.hiddenState(x);
        }
        states.release(s);
        return x;
    }

    /** The training forward, as {@link BertEncoder#forwardTraining}: block i reads {@code hidden[i]}, writes {@code hidden[i + 1]}, saves {@code acts[i]}. */
    public void forwardTraining(Kernels k, FloatTensor[] hidden, Batch batch, AttentionMask mask, LayerActivations[] acts) {
        for (int i = 0; i < layers.length; i++) layers[i].forwardTraining(k, hidden[i], batch, mask, acts[i], hidden[i + 1]);
    }

    /** Backward through every block, last first: dy (T, dim) at the last output → the gradient at {@code hidden[0]}. */
    public FloatTensor backward(Kernels k, FloatTensor[] hidden, Batch batch, LayerActivations[] acts, FloatTensor dy, Gradients g) {
        for (int i = layers.length - 1; i >= 0; i--) {
            FloatTensor dx = Parallel.zeroed(acts[i].grads.dx[i % 2]);      // the other buffer than dy's
            layers[i].backward(k, hidden[i], batch, acts[i], dy, dx, g.prefix("layer", i));
            dy = dx;
        }
        return dy;
    }

    /** Registers every block's parameters under {@code p}: {@code layer.i.…}. */
    public void parameters(Parameters p) {
        for (int i = 0; i < layers.length; i++) layers[i].parameters(p.prefix("layer", i));
    }
}
