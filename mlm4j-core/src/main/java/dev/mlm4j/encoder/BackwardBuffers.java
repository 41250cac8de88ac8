package dev.mlm4j.encoder;

import dev.mlm4j.config.BertConfig;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.tensor.FloatTensor;

/**
 * The gradient buffers the encoder layers' backward passes use, one layer at a time, so one set serves every layer
 * (llm.c's grads_acts): the gradients at a layer's input and output (two (T, hidden), used in turn), at the
 * intermediate (T, intermediate), at the attention's output and context (T, hidden each), at the fused query, key and
 * value (T, 3·hidden) and the fused projection's weight and bias gradients before they are split per part. Each is
 * handed out zero-filled ({@link Parallel#zeroed}), as {@code FloatTensor.zeros} made it before. A training state sized for
 * the largest batch keeps one set and views its first T rows for a smaller batch ({@link #view}).
 */
final class BackwardBuffers {
    final FloatTensor[] dx;    // 2 × (T, hidden)    the gradient at a layer's input, then the next layer's output
    final FloatTensor dinter;  // (T, intermediate)
    final FloatTensor dattn;   // (T, hidden)
    final FloatTensor dctx;    // (T, hidden)
    final FloatTensor dqkv;    // (T, 3·hidden)
    final FloatTensor dw;      // (3·hidden, hidden)  the fused query | key | value weight gradient, when the parts'
    final FloatTensor db;      // (3·hidden)          own gradients cannot be stacked (BertSelfAttention.intoFused)

    BackwardBuffers(int t, BertConfig c) {
        int h = c.hiddenSize();
        this.dx = new FloatTensor[] {FloatTensor.zeros(t, h), FloatTensor.zeros(t, h)};
        this.dinter = FloatTensor.zeros(t, c.intermediateSize());
        this.dattn = FloatTensor.zeros(t, h);
        this.dctx = FloatTensor.zeros(t, h);
        this.dqkv = FloatTensor.zeros(t, 3 * h);
        this.dw = FloatTensor.zeros(3 * h, h);
        this.db = FloatTensor.zeros(3 * h);
    }

    private BackwardBuffers(BackwardBuffers of, int t) {
        this.dx = new FloatTensor[] {of.dx[0].slice(0, t), of.dx[1].slice(0, t)};
        this.dinter = of.dinter.slice(0, t);
        this.dattn = of.dattn.slice(0, t);
        this.dctx = of.dctx.slice(0, t);
        this.dqkv = of.dqkv.slice(0, t);
        this.dw = of.dw;
        this.db = of.db;
    }

    /** The same floats seen as a batch of {@code t} tokens (t ≤ this one's rows). */
    BackwardBuffers view(int t) {
        return new BackwardBuffers(this, t);
    }
}
