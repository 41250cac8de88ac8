package dev.mlm4j.heads;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;

/**
 * A sequence classifier on the first token's vector: out(act(dense(h[0]))), dropout the identity at inference. One
 * class for three of transformers' modules that differ only in names and activation: {@code RobertaClassificationHead}
 * ({@code classifier.dense}, tanh, {@code classifier.out_proj}), {@code ElectraClassificationHead} (the same keys, GELU)
 * and DistilBERT's {@code pre_classifier}, ReLU, {@code classifier}. A family whose module before the last layer is its
 * own (DeBERTa's {@link ContextPooler}, ModernBERT's {@link ModernBertPredictionHead}) passes it as the {@link Transform}.
 */
public final class ClassificationHead {

    /** The nonlinearity between the two layers. */
    public enum Activation { TANH, GELU, RELU }

    private final Transform transform; // hidden → hidden
    private final Linear out;          // hidden → labels

    public ClassificationHead(Linear dense, Activation activation, Linear out) {
        this((k, x) -> activate(k, dense.forward(k, x), activation), out);
    }

    /** out(transform(h[0])). */
    public ClassificationHead(Transform transform, Linear out) {
        this.transform = transform;
        this.out = out;
    }

    public int numLabels() {
        return out.out();
    }

    /** first (n, hidden): each sequence's first token → logits (n, labels). */
    public FloatTensor forward(Kernels k, FloatTensor first) {
        return out.forward(k, transform.forward(k, first));
    }

    private static FloatTensor activate(Kernels k, FloatTensor y, Activation activation) {
        float[] d = y.data();
        switch (activation) {
            case GELU -> k.gelu(y);
            case TANH -> { for (int i = 0; i < d.length; i++) d[i] = (float) Math.tanh(d[i]); }
            case RELU -> { for (int i = 0; i < d.length; i++) d[i] = Math.max(d[i], 0f); }
        }
        return y;
    }
}
