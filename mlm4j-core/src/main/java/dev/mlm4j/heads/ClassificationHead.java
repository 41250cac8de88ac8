package dev.mlm4j.heads;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;

/**
 * A sequence classifier on the first token's vector: out(act(dense(h[0]))), dropout the identity at inference. One
 * class for three of transformers' modules that differ only in names and activation: {@code RobertaClassificationHead}
 * ({@code classifier.dense}, tanh, {@code classifier.out_proj}), {@code ElectraClassificationHead} (the same keys, GELU)
 * and DistilBERT's {@code pre_classifier}, ReLU, {@code classifier}.
 */
public final class ClassificationHead {

    /** The nonlinearity between the two layers. */
    public enum Activation { TANH, GELU, RELU }

    private final Linear dense;    // hidden → hidden
    private final Activation activation;
    private final Linear out;      // hidden → labels

    public ClassificationHead(Linear dense, Activation activation, Linear out) {
        this.dense = dense;
        this.activation = activation;
        this.out = out;
    }

    public int numLabels() {
        return out.out();
    }

    /** first (n, hidden): each sequence's first token → logits (n, labels). */
    public FloatTensor forward(Kernels k, FloatTensor first) {
        FloatTensor y = dense.forward(k, first);
        float[] d = y.data();
        switch (activation) {
            case GELU -> k.gelu(y);
            case TANH -> { for (int i = 0; i < d.length; i++) d[i] = (float) Math.tanh(d[i]); }
            case RELU -> { for (int i = 0; i < d.length; i++) d[i] = Math.max(d[i], 0f); }
        }
        return out.forward(k, y);
    }
}
