package dev.mlm4j.model;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.kernels.FiniteDifferences;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mlm4j's loss and gradients against transformers' (a fixture's {@code gradients.safetensors}, written in float64 by
 * the scripts under scripts/reference/training/): the loss within 1e-5 relative; each tensor's max |mlm4j − torch|
 * over its max |torch| within 1e-4; and no gradient transformers does not have. Some gradients are 0 in exact
 * arithmetic, because a softmax ignores a shift along its row: the key biases' (b_K adds q_i · b_K to every score of row
 * i) and the QA head's bias (it shifts every start, or end, logit alike); torch's float64 gives ~1e-17, mlm4j's float32
 * sums ~1e-8. A tensor whose reference is below 1e-12 is held to 1e-6 of the model's largest gradient instead. Every
 * family's parity test compares through this.
 */
final class GradientComparison {
    static final double GRADIENT_TOLERANCE = 1e-4, LOSS_TOLERANCE = 1e-5;
    private static final double ZERO = 1e-12, ZERO_TOLERANCE = 1e-6;

    private GradientComparison() {}

    /** The tensor with the largest relative error (among those not zero in exact arithmetic), and how many were compared. */
    record Worst(String name, double relative, int compared) {}

    /**
     * @param what     the fixture and kernels, for the messages
     * @param expected transformers' gradient of each parameter, under the name mlm4j's gradients use
     */
    static Worst assertMatches(String what, double torchLoss, double loss, Map<String, FloatTensor> expected, Gradients g) {
        assertEquals(torchLoss, loss, LOSS_TOLERANCE * Math.abs(torchLoss), what + ": loss");
        double modelMax = 0;
        for (FloatTensor t : expected.values()) for (float v : t.toArray()) modelMax = Math.max(modelMax, Math.abs(v));
        List<String> failures = new ArrayList<>();
        double worstRel = 0;
        String worstName = "";
        int compared = 0;
        for (Map.Entry<String, FloatTensor> e : new TreeMap<>(expected).entrySet()) {
            String name = e.getKey();
            FloatTensor want = e.getValue(), got = g.get(name);
            if (got == null) {
                failures.add(name + ": no gradient from mlm4j");
                continue;
            }
            if (!Arrays.equals(want.shape(), got.shape())) {
                failures.add(name + ": shape " + Arrays.toString(got.shape()) + ", torch " + Arrays.toString(want.shape()));
                continue;
            }
            float[] w = want.toArray(), a = got.toArray();
            FiniteDifferences.Discrepancy d = FiniteDifferences.Discrepancy.of(w.length, i -> w[i], i -> a[i]);
            double max = d.max(), worst = d.worst();
            int at = d.at();
            double rel = max < ZERO ? worst / (ZERO_TOLERANCE * modelMax) * GRADIENT_TOLERANCE : worst / max;
            if (rel > GRADIENT_TOLERANCE) {
                failures.add(String.format("%s: max relative error %.3g at element %d (mlm4j %g, torch %g, max |torch| %g)", name, rel, at, a[at], w[at], max));
            }
            if (max >= ZERO && rel > worstRel) {
                worstRel = rel;
                worstName = name;
            }
            compared++;
        }
        List<String> extra = g.all().keySet().stream().filter(n -> !expected.containsKey(n)).toList();
        assertTrue(extra.isEmpty(), what + ": gradients transformers does not have: " + extra);
        assertTrue(failures.isEmpty(), what + ", gradients off from transformers':\n  " + String.join("\n  ", failures));
        return new Worst(worstName, worstRel, compared);
    }

    /**
     * The training forward computes what inference computes (to float rounding: the exact attention path and GELU
     * outside the GEMM, so not bit for bit) in {@code model}'s {@code encoder}, and a backward pass of {@code model}'s
     * objective under {@code labels} leaves inference's last hidden state bit for bit as it was.
     */
    static void assertTrainingForwardAgreesWithInference(Kernels k, Batch batch, Trainable model, TrainableEncoder encoder, int[] labels) {
        float[] before = encoder.forward(k, batch, ForwardOptions.DEFAULT).lastHiddenState().toArray();
        float[] training = encoder.forwardTraining(k, encoder.trainingState(batch, Dropout.OFF), AttentionMask.BIDIRECTIONAL).toArray();
        for (int i = 0; i < before.length; i++) assertEquals(before[i], training[i], 1e-5 * Math.max(1, Math.abs(before[i])), "hidden element " + i);
        model.lossAndGradients(k, batch, labels, new Gradients());
        float[] after = encoder.forward(k, batch, ForwardOptions.DEFAULT).lastHiddenState().toArray();
        assertTrue(Arrays.equals(before, after), "inference after a backward pass gives the same bits");
    }
}
