package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.DebertaV2Config;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.Weights;

/**
 * transformers' {@code DebertaV2Encoder}: {@code num_hidden_layers} × {@link DebertaV2Layer} (keys {@code layer.N.*}), the
 * {@link DebertaV2ConvLayer} after the first layer when {@code conv_kernel_size} asks ({@code conv.*}), and, with relative attention, the relative position embeddings {@code rel_embeddings} (2·span, hidden), shared by every
 * layer, passed through {@code LayerNorm} when {@code norm_rel_ebd} asks (DeBERTa-v3 does) — on every forward, as
 * transformers' {@code get_rel_embedding}, so the table and the LayerNorm are parameters a training step updates.
 * Trains as BERT's encoder does, each layer's activations in its own {@link LayerActivations}, the relative embeddings'
 * in a {@link RelativeActivations}, the convolution's in its {@link DebertaV2ConvLayer.Saved}.
 */
public final class DebertaV2Encoder {
    private final DebertaV2Layer[] layers;
    private final FloatTensor relEmbeddings; // (2·span, hidden) as stored; null without relative attention
    private final LayerNorm relNorm;         // LayerNorm, when norm_rel_ebd has layer_norm; else null
    private final DebertaV2ConvLayer conv;   // after the first layer when conv_kernel_size > 0; else null
    private final LayerStatePool states;     // the inference forward's activations: BERT's layer shape

    public DebertaV2Encoder(Weights w, DebertaV2Config c, Precision precision) {
        this.layers = new DebertaV2Layer[c.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) layers[i] = new DebertaV2Layer(w.prefix("layer", i), c, precision);
        boolean relative = c.relativeAttention();
        this.relEmbeddings = relative ? w.prefix("rel_embeddings").tensor("weight", c.relativeEmbeddings(), c.hiddenSize()) : null;
        this.relNorm = relative && c.normRelEmbeddings() ? LayerNorm.load(w.prefix("LayerNorm"), c.hiddenSize(), c.layerNormEps()) : null;
        this.conv = c.convKernelSize() > 0 ? new DebertaV2ConvLayer(w.prefix("conv"), c) : null;
        this.states = new LayerStatePool(c.hiddenSize(), c.intermediateSize());
    }

    /** transformers' {@code get_rel_embedding}: the table, through the LayerNorm when there is one (then a new tensor); null without relative attention. */
    private FloatTensor relative(Kernels k) {
        if (relEmbeddings == null || relNorm == null) return relEmbeddings;
        FloatTensor rel = relEmbeddings.copy();
        relNorm.forward(k, rel);
        return rel;
    }

    /**
     * x (T, hidden) through every layer, updated in place (the convolution after layer 1 makes a new tensor); returns
     * the last layer's output; each layer's output goes to {@code capture}. The layers' activations live in one
     * {@link LayerState} reused by every layer, as BERT's do.
     */
    public FloatTensor forward(Kernels k, FloatTensor x, Batch batch, AttentionMask mask, ForwardCapture capture) {
        int t = x.dim(0);
        FloatTensor embeddings = conv != null ? x.copy() : x, rel = relative(k);     // the convolution reads layer 1's input
        LayerState s = states.take(t);
        for (int i = 0; i < layers.length; i++) {
            layers[i].forward(k, x, rel, batch, mask, s, capture);
            if (i == 0 && conv != null) x = conv.forward(k, embeddings, x, batch);
            capture.hiddenState(x);
        }
        states.release(s);
        return x;
    }

    // ---- training ------------------------------------------------------------------------------------------

    /** What the training forward saves beyond the layers' activations: the relative attention's, the convolution's (each null without it). */
    public record Saved(RelativeActivations relative, DebertaV2ConvLayer.Saved conv, FloatTensor layer0) {}

    /**
     * The training forward, as {@link BertEncoder#forwardTraining}: layer i reads {@code hidden[i]}, writes
     * {@code hidden[i + 1]}, saves {@code acts[i]}; with the convolution the first layer's own output goes to a buffer of
     * its own and the convolution's to {@code hidden[1]}.
     */
    public Saved forwardTraining(Kernels k, FloatTensor[] hidden, Batch batch, AttentionMask mask, LayerActivations[] acts, Dropout dropout) {
        RelativeActivations r = relEmbeddings == null ? null : new RelativeActivations(relative(k), layers.length, dropout);
        FloatTensor layer0 = conv == null ? null : FloatTensor.zeros(hidden[0].dim(0), hidden[0].dim(1));
        DebertaV2ConvLayer.Saved c = null;
        for (int i = 0; i < layers.length; i++) {
            layers[i].forwardTraining(k, hidden[i], r, i, batch, mask, acts[i], i == 0 && conv != null ? layer0 : hidden[i + 1]);
            if (i == 0 && conv != null) c = conv.forwardTraining(k, hidden[0], layer0, batch, dropout.convolution(), hidden[1]);
        }
        return new Saved(r, c, layer0);
    }

    /**
     * Backward through every layer, last first: dy (T, hidden) at the last output → the gradient at {@code hidden[0]}
     * (through the convolution too when there is one); then the relative embeddings' gradient, summed over the layers,
     * through the LayerNorm into the table.
     */
    public FloatTensor backward(Kernels k, FloatTensor[] hidden, Batch batch, LayerActivations[] acts, Saved saved, FloatTensor dy, Gradients g) {
        RelativeActivations r = saved.relative();
        FloatTensor dembeddings = null;
        for (int i = layers.length - 1; i >= 0; i--) {
            if (i == 0 && conv != null) {                                       // dy is at the convolution's output
                FloatTensor dlayer0 = FloatTensor.zeros(dy.dim(0), dy.dim(1));
                dembeddings = FloatTensor.zeros(dy.dim(0), dy.dim(1));
                conv.backward(k, hidden[0], batch, saved.conv(), dy, dlayer0, dembeddings, g.prefix("conv"));
                dy = dlayer0;
            }
            FloatTensor dx = Parallel.zeroed(acts[i].grads.dx[i % 2]);      // the other buffer than dy's
            layers[i].backward(k, hidden[i], r, i, batch, acts[i], dy, dx, g.prefix("layer", i));
            dy = dx;
        }
        if (dembeddings != null) k.add(dy, dembeddings);
        if (r != null) {
            FloatTensor table = g.prefix("rel_embeddings").tensor("weight", relEmbeddings.dim(0), relEmbeddings.dim(1));
            FloatTensor d = r.gradient;
            if (relNorm != null) {
                d = FloatTensor.zeros(d.dim(0), d.dim(1));
                relNorm.backward(k, relEmbeddings, r.gradient, d, g.prefix("LayerNorm"));
            }
            k.add(table, d);
        }
        return dy;
    }

    /** Registers every layer's parameters ({@code layer.i.…}), the relative table and its LayerNorm, the convolution's, under {@code p}. */
    public void parameters(Parameters p) {
        for (int i = 0; i < layers.length; i++) layers[i].parameters(p.prefix("layer", i));
        if (relEmbeddings != null) p.prefix("rel_embeddings").add("weight", relEmbeddings);
        if (relNorm != null) relNorm.parameters(p.prefix("LayerNorm"));
        if (conv != null) conv.parameters(p.prefix("conv"));
    }
}
