package dev.mlm4j.train;

import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AdamW, the linear schedule and clipping against values worked out by hand from torch's and transformers' formulas. */
class OptimizerTest {

    /**
     * Two steps on a weight and a bias, both 1.0, gradients 0.5 then −0.5, lr 0.1, weight decay 0.01, by hand:
     * step 1: weight decays to 1 − 0.1·0.01 = 0.999; m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25, update 0.1·0.5/0.5 = 0.1
     * → 0.899 (the bias, not decayed, 0.9). Step 2: 0.899·0.999 = 0.898101; m = −0.005, v = 0.00049975, m̂ = −0.005/0.19,
     * v̂ = 0.00049975/0.001999 = 0.25 → + 0.1·(0.005/0.19)/0.5 = 0.0052631579 → 0.9033641579 (bias 0.9052631579).
     */
    @Test
    void adamWMatchesTorchsFormulaAndSkipsDecayOnBiases() {
        Parameters p = new Parameters();
        FloatTensor w = FloatTensor.wrap(new float[] {1f}, 1), b = FloatTensor.wrap(new float[] {1f}, 1);
        p.prefix("dense").add("weight", w);
        p.prefix("dense").add("bias", b);
        AdamW adam = new AdamW(0.01);
        adam.step(p, grads(0.5f), 0.1);
        assertEquals(0.899, w.get(0), 1e-6);
        assertEquals(0.9, b.get(0), 1e-6);
        adam.step(p, grads(-0.5f), 0.1);
        assertEquals(0.9033641579, w.get(0), 1e-6);
        assertEquals(0.9052631579, b.get(0), 1e-6);
        assertEquals(2, adam.steps());
    }

    /** The same hand-worked first step when AdamW also zeroes the gradients it read (what the Trainer asks for). */
    @Test
    void zeroingTheGradientsLeavesTheUpdateAsItWas() {
        Parameters p = new Parameters();
        FloatTensor w = FloatTensor.wrap(new float[] {1f}, 1), b = FloatTensor.wrap(new float[] {1f}, 1);
        p.prefix("dense").add("weight", w);
        p.prefix("dense").add("bias", b);
        Gradients g = grads(0.5f);
        new AdamW(0.01).step(p, g, 0.1, 1f, true);
        assertEquals(0.899, w.get(0), 1e-6);
        assertEquals(0.9, b.get(0), 1e-6);
        assertEquals(0f, g.get("dense.weight").get(0));
        assertEquals(0f, g.get("dense.bias").get(0));
    }

    private static Gradients grads(float v) {
        Gradients g = new Gradients();
        g.prefix("dense").tensor("weight", 1).data()[0] = v;
        g.prefix("dense").tensor("bias", 1).data()[0] = v;
        return g;
    }

    @Test
    void weightDecayFollowsHuggingFacesGroups() {
        assertTrue(AdamW.decays("bert.encoder.layer.0.attention.self.query.weight"));
        assertTrue(AdamW.decays("bert.embeddings.word_embeddings.weight"));
        assertFalse(AdamW.decays("bert.encoder.layer.0.attention.self.query.bias"));
        assertFalse(AdamW.decays("bert.embeddings.LayerNorm.weight"));
        assertFalse(AdamW.decays("cls.predictions.bias"));
    }

    /** get_linear_schedule_with_warmup(warm-up 5, total 50) at peak 1e-3: 0, 2e-4, …, 1e-3 at step 5, then (50 − s)/45 of it. */
    @Test
    void linearScheduleWarmsUpThenDecaysToZero() {
        LinearSchedule s = new LinearSchedule(1e-3, 5, 50);
        assertEquals(0, s.rate(0), 0);
        assertEquals(2e-4, s.rate(1), 1e-15);
        assertEquals(1e-3, s.rate(5), 1e-15);
        assertEquals(1e-3 * 44 / 45, s.rate(6), 1e-15);
        assertEquals(1e-3 / 45, s.rate(49), 1e-15);
        assertEquals(0, s.rate(50), 0);
        assertEquals(0, s.rate(70), 0);
        assertEquals(1e-3, new LinearSchedule(1e-3, 0, 10).rate(0), 0);
    }

    /** Gradients (3) and (4): global norm 5; clipped to 1 they become 3/(5 + 1e-6) and 4/(5 + 1e-6); under the limit, untouched. */
    @Test
    void clippingScalesByTheGlobalNorm() {
        Gradients g = new Gradients();
        g.tensor("a", 1).data()[0] = 3;
        g.tensor("b", 1).data()[0] = 4;
        assertEquals(5, GradientClipping.clip(g, 1.0), 1e-12);
        assertEquals(3 / (5 + 1e-6), g.get("a").get(0), 1e-7);
        assertEquals(4 / (5 + 1e-6), g.get("b").get(0), 1e-7);
        assertEquals(1.0, GradientClipping.globalNorm(g), 1e-6);
        assertEquals(1.0, GradientClipping.clip(g, 10), 1e-6);
        assertEquals(3 / (5 + 1e-6), g.get("a").get(0), 1e-7);
    }

    /**
     * AdamW reading the gradients times a clipping factor takes the same step, bit for bit, as clipping them in place
     * first (what the Trainer did before the two passes were one); the gradients are left unscaled. Over 70,000 values
     * (two parallel pieces) and two steps, so the moments carry the scaled values too.
     */
    @Test
    void adamWWithAGradientScaleIsClippingFirstBitForBit() {
        java.util.Random r = new java.util.Random(3);
        int n = 70_000;
        Parameters a = new Parameters(), b = new Parameters();
        FloatTensor wa = FloatTensor.zeros(n), wb = FloatTensor.zeros(n);
        for (int i = 0; i < n; i++) wa.data()[i] = wb.data()[i] = (float) r.nextGaussian();
        a.add("w.weight", wa);
        b.add("w.weight", wb);
        AdamW clippedFirst = new AdamW(0.01), fused = new AdamW(0.01);
        for (int step = 0; step < 2; step++) {
            Gradients ga = new Gradients(), gb = new Gradients();
            for (int i = 0; i < n; i++) ga.tensor("w.weight", n).data()[i] = gb.tensor("w.weight", n).data()[i] = (float) (3 * r.nextGaussian());
            float[] before = gb.get("w.weight").toArray();
            double norm = GradientClipping.clip(ga, 1.0);
            float f = GradientClipping.factor(GradientClipping.globalNorm(gb), 1.0);
            assertEquals(norm, GradientClipping.globalNorm(gb), 0);
            assertTrue(f < 1f, "this draw is clipped: " + f);
            clippedFirst.step(a, ga, 1e-3);
            fused.step(b, gb, 1e-3, f);
            org.junit.jupiter.api.Assertions.assertArrayEquals(wa.toArray(), wb.toArray(), "step " + step);
            org.junit.jupiter.api.Assertions.assertArrayEquals(before, gb.get("w.weight").toArray(), "the gradients stay unscaled");
        }
        assertEquals(1f, GradientClipping.factor(0.5, 1.0), "under the limit: no scaling");
    }
}
