package dev.mlm4j.heads;

import dev.mlm4j.kernels.DropoutMask;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;

/**
 * A sequence classifier on the first token's vector: out(act(dense(h[0]))), dropout the identity at inference. One
 * class for three of transformers' modules that differ only in names and activation: {@code RobertaClassificationHead}
 * ({@code classifier.dense}, tanh, {@code classifier.out_proj}), {@code ElectraClassificationHead} (the same keys, GELU)
 * and DistilBERT's {@code pre_classifier}, ReLU, {@code classifier}. A family whose module before the last layer is its
 * own (DeBERTa's {@link ContextPooler}, ModernBERT's {@link ModernBertPredictionHead}) passes it as the {@link Transform};
 * ModernBERT's trains ({@link #ClassificationHead(ModernBertPredictionHead, Linear)}).
 */
public final class ClassificationHead {

    /** The nonlinearity between the two layers. */
    public enum Activation { TANH, GELU, RELU }

    /**
     * Where the classifier dropout applies in training: RoBERTa's and ELECTRA's heads drop the pooled vector and the
     * hidden one ({@link #INPUT_AND_HIDDEN}); DistilBERT's only the hidden one, after its ReLU ({@link #HIDDEN}).
     */
    public enum DropoutSites { INPUT_AND_HIDDEN, HIDDEN }

    private final Transform transform; // hidden → hidden
    private final Linear out;          // hidden → labels
    private final Linear dense;        // the transform's layer when it is dense + activation (what trains), else null
    private final ModernBertPredictionHead prediction; // the transform when it is ModernBERT's (it trains too), else null
    private final Activation activation;
    private final DropoutSites dropoutSites;

    /** With dropout on the input and the hidden vector in training (RoBERTa's, ELECTRA's). */
    public ClassificationHead(Linear dense, Activation activation, Linear out) {
        this(dense, activation, out, DropoutSites.INPUT_AND_HIDDEN);
    }

    public ClassificationHead(Linear dense, Activation activation, Linear out, DropoutSites dropoutSites) {
        this.transform = (k, x) -> activate(k, dense.forward(k, x), activation);
        this.out = out;
        this.dense = dense;
        this.prediction = null;
        this.activation = activation;
        this.dropoutSites = dropoutSites;
    }

    /** out(transform(h[0])). */
    public ClassificationHead(Transform transform, Linear out) {
        this.transform = transform;
        this.out = out;
        this.dense = null;
        this.prediction = null;
        this.activation = null;
        this.dropoutSites = DropoutSites.INPUT_AND_HIDDEN;
    }

    /**
     * ModernBERT's: out(drop(head(pooled))), transformers' {@code ModernBertForSequenceClassification}; the one dropout
     * ({@code classifier_dropout}) between the prediction head and {@code classifier}. It trains: {@link Saved}'s
     * {@code pre} and {@code act} are the head's dense output and GELU's.
     */
    public ClassificationHead(ModernBertPredictionHead head, Linear out) {
        this.transform = head;
        this.out = out;
        this.dense = null;
        this.prediction = head;
        this.activation = null;
        this.dropoutSites = DropoutSites.HIDDEN;
    }

    public int numLabels() {
        return out.out();
    }

    /** first (n, hidden): each sequence's first token → logits (n, labels). */
    public FloatTensor forward(Kernels k, FloatTensor first) {
        return out.forward(k, transform.forward(k, first));
    }

    // ---- training ------------------------------------------------------------------------------------------

    /** Whether this head has a backward pass: dense + activation heads and ModernBERT's do; another family's own {@link Transform} does not (yet). */
    public boolean trains() {
        return dense != null || prediction != null;
    }

    /** The mask before the dense layer under {@code dropout}: its classifier-input site, or none where this head has no dropout there. */
    public DropoutMask inputDropout(Dropout dropout) {
        return dropoutSites == DropoutSites.INPUT_AND_HIDDEN ? dropout.classifierInput() : DropoutMask.NONE;
    }

    /** The mask before the last layer under {@code dropout}. */
    public DropoutMask hiddenDropout(Dropout dropout) {
        return dropout.classifierHidden();
    }

    /**
     * What the training forward saves: the dense layer's input (after the first dropout), its output before and after
     * the activation, the last layer's input (after the second dropout), the logits.
     */
    public record Saved(FloatTensor x, FloatTensor pre, FloatTensor act, FloatTensor z, FloatTensor logits) {}

    /**
     * The training forward as transformers' {@code RobertaClassificationHead} runs it: x = dropout(first),
     * out(dropout(act(dense(x)))), the two dropouts {@code inputDrop} and {@code hiddenDrop} (masks regenerated by the
     * backward). {@code first} (n, hidden) is left as it was.
     */
    public Saved forwardTraining(Kernels k, FloatTensor first, DropoutMask inputDrop, DropoutMask hiddenDrop) {
        requireTrains();
        FloatTensor x = inputDrop.isNone() ? first : first.copy();
        inputDrop.apply(x);
        if (prediction != null) {
            int n = x.dim(0), h = x.dim(1);
            FloatTensor pre = FloatTensor.zeros(n, h), act = FloatTensor.zeros(n, h), z = prediction.forwardTraining(k, x, pre, act);
            hiddenDrop.apply(z);
            return new Saved(x, pre, act, z, out.forward(k, z));
        }
        FloatTensor pre = dense.forward(k, x);
        FloatTensor act = activate(k, pre.copy(), activation);
        FloatTensor z = hiddenDrop.isNone() ? act : act.copy();
        hiddenDrop.apply(z);
        return new Saved(x, pre, act, z, out.forward(k, z));
    }

    /**
     * Backward from {@code dlogits} (n, labels) to {@code dfirst} (n, hidden), written; the dense layer's gradients under
     * {@code denseGrads}, the last layer's under {@code outGrads} (their keys differ by family).
     */
    public void backward(Kernels k, Saved s, FloatTensor dlogits, DropoutMask inputDrop, DropoutMask hiddenDrop,
                         FloatTensor dfirst, Gradients denseGrads, Gradients outGrads) {
        requireTrains();
        int n = s.pre().dim(0), h = s.pre().dim(1);
        FloatTensor dz = FloatTensor.zeros(n, h);
        out.backward(k, s.z(), dlogits, dz, false, outGrads);
        hiddenDrop.apply(dz);
        if (prediction != null) {
            prediction.backward(k, s.x(), s.pre(), s.act(), dz, dfirst, denseGrads);
            inputDrop.apply(dfirst);
            return;
        }
        float[] d = dz.data(), pre = s.pre().data(), act = s.act().data();
        switch (activation) {
            case TANH -> { for (int i = 0; i < d.length; i++) d[i] *= 1 - act[i] * act[i]; }
            case RELU -> { for (int i = 0; i < d.length; i++) if (pre[i] <= 0f) d[i] = 0f; }
            case GELU -> k.geluBackward(s.pre(), dz);
        }
        dense.backward(k, s.x(), dz, dfirst, false, denseGrads);
        inputDrop.apply(dfirst);
    }

    /** The dense layer's (ModernBERT's prediction head's) parameters under {@code dense}, the last layer's under {@code out}. */
    public void parameters(Parameters dense, Parameters out) {
        requireTrains();
        if (prediction != null) prediction.parameters(dense);
        else this.dense.parameters(dense);
        this.out.parameters(out);
    }

    private void requireTrains() {
        if (!trains()) throw new IllegalStateException("this classification head's transform has no backward pass");
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
