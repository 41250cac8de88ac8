package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DropoutMask}'s runs of factors ({@link DropoutMask#factors}, a vector of hashes at a time) and its in-place
 * {@link DropoutMask#apply} against the one-element definition, {@link DropoutMask#factor}: the same bits for every
 * start, length and offset, so a mask is the same whichever path makes it (the backward regenerates the forward's).
 */
class DropoutMaskTest {

    @Test
    void runsOfFactorsAreTheFactorsOneByOne() {
        Random r = new Random(5);
        for (double p : new double[] {1e-7, 0.1, 0.5, 0.9}) {
            DropoutMask mask = new DropoutMask(p, r.nextLong());
            int dropped = 0, total = 0;
            for (int trial = 0; trial < 200; trial++) {
                int len = trial < 70 ? trial : r.nextInt(1000), off = r.nextInt(5);
                long start = trial % 3 == 0 ? r.nextInt(1 << 20) : (r.nextLong() >>> 2);
                float[] run = new float[off + len + 3];
                mask.factors(start, run, off, len);
                for (int j = 0; j < len; j++) {
                    float one = mask.factor(start + j);
                    assertEquals(Float.floatToRawIntBits(one), Float.floatToRawIntBits(run[off + j]), "p=" + p + " element " + (start + j));
                    if (one == 0f) dropped++;
                    total++;
                }
                for (int j = 0; j < off; j++) assertEquals(0f, run[j], "before the run");
                for (int j = off + len; j < run.length; j++) assertEquals(0f, run[j], "after the run");
            }
            assertEquals(p, dropped / (double) total, 0.02, "the share dropped");
        }
    }

    /** The hash runs in 32-bit lanes on an index's low word; its high word enters the offset, so a run across 2³² is cut there. */
    @Test
    void runsAcrossAHighWordAreTheFactorsOneByOneAndTheHighWordCounts() {
        DropoutMask mask = new DropoutMask(0.5, 0x1234_5678_9ABC_DEF0L);
        for (long start : new long[] {(1L << 32) - 7, (3L << 32) - 40, (1L << 33) - 1}) {
            float[] run = new float[100];
            mask.factors(start, run, 0, run.length);
            for (int j = 0; j < run.length; j++) {
                assertEquals(Float.floatToRawIntBits(mask.factor(start + j)), Float.floatToRawIntBits(run[j]), "element " + (start + j));
            }
        }
        int same = 0;
        for (long i = 0; i < 10_000; i++) if (mask.keep(i) == mask.keep(i + (1L << 32))) same++;
        assertTrue(same > 4_000 && same < 6_000, "indices 2³² apart are independent: " + same + " of 10000 agree");
    }

    @Test
    void applyZeroesTheDroppedAndScalesTheKeptOnAStridedView() {
        Random r = new Random(6);
        DropoutMask mask = new DropoutMask(0.3, 42);
        FloatTensor wide = KernelsTest.random(r, 37, 90);
        FloatTensor x = wide.columns(7, 71), before = x.copy();
        mask.apply(x);
        for (int i = 0; i < 37; i++) {
            for (int c = 0; c < 71; c++) {
                float want = mask.keep((long) i * 71 + c) ? before.at(i, c) * mask.scale() : 0f;
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(x.at(i, c)), "(" + i + ", " + c + ")");
            }
        }
        FloatTensor original = KernelsTest.random(new Random(6), 37, 90);       // the same draw as wide's
        for (int i = 0; i < 37; i++) {
            for (int c = 0; c < 90; c++) {
                if (c < 7 || c >= 78) assertEquals(original.at(i, c), wide.at(i, c), "(" + i + ", " + c + ") outside the view");
            }
        }
    }
}
