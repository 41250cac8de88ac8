package dev.mlm4j.tensor;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** What zero() and zero(fill) promise a training loop: reused tensors, zero on their next use, visible only once used. */
class GradientsTest {

    /** A step writes two gradients; after either kind of zeroing the next step finds them zero, the same arrays, and unseen until asked for. */
    @Test
    void bothZerosReuseTheTensorsAndHandThemOutZero() {
        for (boolean eager : new boolean[] {false, true}) {
            Gradients g = new Gradients();
            FloatTensor w = g.prefix("layer", 0).tensor("weight", 2, 3), b = g.prefix("layer", 0).tensor("bias", 3);
            java.util.Arrays.fill(w.data(), 5f);
            java.util.Arrays.fill(b.data(), 7f);
            List<String> filledNow = new ArrayList<>();
            if (eager) {
                g.zero(t -> {
                    java.util.Arrays.fill(t.data(), t.offset(), t.offset() + t.size(), 0f);
                    filledNow.add(t == w ? "weight" : "bias");
                });
                assertEquals(List.of("bias", "weight"), filledNow, "every kept tensor filled at once");
                assertArrayEquals(new float[6], w.toArray(), "filled before any use");
            } else {
                g.zero();
            }
            assertNull(g.get("layer.0.weight"), "not visible before the backward asks for it (eager " + eager + ")");
            assertEquals(0, g.all().size());
            FloatTensor w2 = g.prefix("layer", 0).tensor("weight", 2, 3);
            assertSame(w, w2, "the same tensor, not a new one");
            assertArrayEquals(new float[6], w2.toArray(), "zero on its next use (eager " + eager + ")");
            w2.data()[0] = 1f;
            assertEquals(1f, g.prefix("layer", 0).tensor("weight", 2, 3).get(0, 0), "a second ask in one step keeps what was added");
            assertEquals(1, g.all().size(), "the bias, unused this step, stays invisible");
        }
    }

    /** A fill that leaves the tensor as it was is not undone by the lazy path: zero(fill) hands responsibility to the fill. */
    @Test
    void theLazyFillIsSkippedOnlyAfterAnEagerOne() {
        Gradients g = new Gradients();
        FloatTensor w = g.tensor("w", 4);
        java.util.Arrays.fill(w.data(), 2f);
        g.zero(t -> { });                                           // a fill that writes nothing
        assertArrayEquals(new float[] {2, 2, 2, 2}, g.tensor("w", 4).toArray(), "the eager fill was trusted");
        g.zero();
        assertArrayEquals(new float[4], g.tensor("w", 4).toArray(), "after zero() the first use fills again");
    }

    /** A fused projection's parts: one tensor whose row blocks are the parts' own gradients, zero on each step's first use. */
    @Test
    void stackedPartsAreTheGradientsThemselves() {
        Gradients g = new Gradients();
        String[] parts = {"query", "key", "value"};
        FloatTensor w = g.prefix("self").stacked(parts, "weight", 2, 3);
        assertEquals(List.of(6, 3), java.util.Arrays.stream(w.shape()).boxed().toList());
        for (int i = 0; i < w.size(); i++) w.data()[w.offset() + i] = i + 1;
        // each part reads its own rows of the whole: value is rows 4–5
        assertArrayEquals(new float[] {13, 14, 15, 16, 17, 18}, g.get("self.value.weight").toArray());
        assertEquals(3, g.all().size(), "the three parts are visible, as if each were asked for");
        g.zero();
        assertNull(g.get("self.key.weight"));
        FloatTensor again = g.prefix("self").stacked(parts, "weight", 2, 3);
        assertSame(w.data(), again.data(), "kept across steps");
        assertArrayEquals(new float[18], again.toArray(), "zero on the next step's first use");
        assertSame(again.data(), g.prefix("self").prefix("key").tensor("weight", 2, 3).data(), "a part asked for alone is the same slice");
        // parts first asked for on their own are not laid out as one: the caller gets null and falls back
        Gradients h = new Gradients();
        h.prefix("query").tensor("bias", 3);
        assertNull(h.stacked(parts, "bias", 3));
    }
}
