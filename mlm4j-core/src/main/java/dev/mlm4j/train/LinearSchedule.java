package dev.mlm4j.train;

/**
 * transformers' {@code get_linear_schedule_with_warmup}: the learning rate rises linearly from 0 to {@code peak} over
 * {@code warmup} steps, then falls linearly to 0 at {@code total}. Step 0 (the first optimiser step) uses 0 when there
 * is a warm-up, as transformers' scheduler does (the optimiser steps, then the scheduler).
 */
public record LinearSchedule(double peak, int warmup, int total) {
    public LinearSchedule {
        if (!(peak > 0) || warmup < 0 || total <= 0) throw new IllegalArgumentException("learning rate " + peak + ", warm-up " + warmup + ", total " + total);
    }

    /** The learning rate of optimiser step {@code step} (0-based). */
    public double rate(int step) {
        if (step < warmup) return peak * step / Math.max(1, warmup);
        return peak * Math.max(0.0, (double) (total - step) / Math.max(1, total - warmup));
    }
}
