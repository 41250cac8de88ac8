package dev.mlm4j.model;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.layers.Dropout;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The memory a training run's steps share: packed batches come just under --batch-tokens, a few tokens apart, and must
 * not each re-allocate the state (all-MiniLM-L6-v2's classification training ran out of the launcher's heap at the
 * batch that set a new maximum: the old and the new state, ~0.6 GB each, at once).
 */
class TrainingStateCapacityTest {
    private static final BertConfig SMALL = new BertConfig(100, 32, 2, 2, 64, "gelu", 512, 2, 1e-12, 0);

    private static Batch batch(int... lengths) {
        int[][] ids = new int[lengths.length][], types = new int[lengths.length][];
        for (int i = 0; i < lengths.length; i++) {
            ids[i] = new int[lengths[i]];
            types[i] = new int[lengths[i]];
        }
        return Batch.of(ids, types);
    }

    @Test
    void packedBatchesJustUnderTheBudgetShareOneAllocation() {
        TrainingMemory memory = new TrainingMemory(SMALL);
        TrainingState first = memory.next(batch(2000, 2056), Dropout.OFF);    // 4,056 tokens: memory for 4,096
        float[] data = first.embeddingSum.data();
        assertEquals(4056, first.embeddingSum.dim(0), "the step sees its own tokens");
        for (int tokens : new int[] {4088, 4093, 4096, 1000}) {
            TrainingState next = memory.next(batch(tokens - 7, 7), Dropout.OFF);
            assertEquals(tokens, next.embeddingSum.dim(0));
            assertSame(data, next.embeddingSum.data(), tokens + " tokens: the same memory, not a new allocation");
        }
        TrainingState larger = memory.next(batch(4097), Dropout.OFF);          // past the rounding: grows, to 4,352
        assertEquals(4352, larger.embeddingSum.data().length / SMALL.hiddenSize());
    }

    @Test
    void smallBatchesAndDenseOnesAreSizedExactly() {
        assertEquals(40, TrainingMemory.capacityFor(40));
        assertEquals(255, TrainingMemory.capacityFor(255));
        assertEquals(1024, TrainingMemory.capacityFor(8 * 128), "8 × 128: no row wasted");
        assertEquals(4096, TrainingMemory.capacityFor(4093));
    }
}
