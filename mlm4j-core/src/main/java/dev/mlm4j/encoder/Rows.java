package dev.mlm4j.encoder;

import dev.mlm4j.tensor.FloatTensor;

/**
 * Some rows of a (T, width) activation, copied out to a compact (m, width) matrix and back: how the last layer of a
 * training step computes its output only at the rows its loss reads ({@link BertLayer#forwardTraining(dev.mlm4j.kernels.Kernels,
 * FloatTensor, dev.mlm4j.config.Batch, dev.mlm4j.attention.AttentionMask, LayerActivations, FloatTensor, int[])}).
 */
final class Rows {
    private Rows() {}

    /** A new (rows.length, width) matrix whose row i is {@code from}'s row rows[i]. */
    static FloatTensor gather(FloatTensor from, int[] rows) {
        int w = from.dim(1);
        FloatTensor to = FloatTensor.zeros(rows.length, w);
        for (int i = 0; i < rows.length; i++) System.arraycopy(from.data(), from.rowOffset(rows[i]), to.data(), i * w, w);
        return to;
    }

    /** {@code to}'s row rows[i] ← {@code from}'s row i; the other rows of {@code to} are left as they are. */
    static void scatter(FloatTensor from, int[] rows, FloatTensor to) {
        int w = from.dim(1);
        for (int i = 0; i < rows.length; i++) System.arraycopy(from.data(), from.rowOffset(i), to.data(), to.rowOffset(rows[i]), w);
    }
}
