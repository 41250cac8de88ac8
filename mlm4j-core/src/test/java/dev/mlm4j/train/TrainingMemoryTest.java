package dev.mlm4j.train;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.CrossEntropy;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.model.BertForMaskedLM;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.model.Task;
import dev.mlm4j.model.TrainingState;
import dev.mlm4j.pipelines.FromScratch;
import dev.mlm4j.tensor.FloatTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Training's memory is sized once and reused (llm.c's buffers; issue 18's peak-RSS goal): after the first step has
 * made the training state, the gradients and AdamW's moments, later steps use the same arrays — for a batch as large as
 * the largest so far and for a smaller one — and only a larger batch grows the state. Checked by identity, not by
 * counting bytes: before C2 compiles them the Vector API kernels box vectors, hundreds of MB a step here, which would
 * drown any byte bound. (The weights' per-use packing into one shared buffer is PackedMatrixTest's.)
 */
class TrainingMemoryTest {
    @TempDir
    Path tmp;

    private static Trainer.Example mlmBatch(Random rnd, int sequences, int length, int vocab) {
        int[][] ids = new int[sequences][length], types = new int[sequences][length];
        int[] labels = new int[sequences * length];
        for (int s = 0, r = 0; s < sequences; s++) {
            for (int j = 0; j < length; j++, r++) {
                ids[s][j] = 5 + rnd.nextInt(vocab - 5);
                labels[r] = rnd.nextDouble() < 0.15 ? ids[s][j] : CrossEntropy.IGNORE_INDEX;
            }
        }
        labels[0] = ids[0][0];                                                   // at least one labelled row
        return new Trainer.Example(Batch.of(ids, types), labels);
    }

    /** The memory the model's training states live in: the first token's row of the last hidden state, as an array. */
    private static float[] stateMemory(BertForMaskedLM model, Batch batch) {
        return model.bert().trainingState(batch, Dropout.OFF).lastHiddenState().data();
    }

    @Test
    void laterStepsReuseTheStateGradientsAndMomentsAndOnlyALargerBatchGrowsTheState() throws Exception {
        Path dir = FromScratch.write(new FromScratch.Size(64, 2, 4, 128, 128), TrajectoryTest.fixture("tiny-bert-mlm").resolve("vocab.txt"),
                true, 18, tmp.resolve("model"));
        BertForMaskedLM model;
        try (Checkpoint c = Checkpoint.open(dir)) {
            model = (BertForMaskedLM) c.load(Task.MASKED_LM, Precision.FP32).orElseThrow();
        }
        Random rnd = new Random(18);
        Trainer.Example large = mlmBatch(rnd, 4, 32, 100), small = mlmBatch(rnd, 3, 20, 100), larger = mlmBatch(rnd, 5, 32, 100);
        AdamW adam = new AdamW(0.01);
        Trainer trainer = new Trainer(model, adam, new LinearSchedule(1e-3, 0, 100), 1.0, 1, Kernels.get()).dropout(Dropout.bert(18));
        trainer.step(List.of(large));
        float[] memory = stateMemory(model, large.batch());
        Map<String, FloatTensor> gradients = new HashMap<>(trainer.gradients().all());
        Map<String, float[]> moments = new HashMap<>();
        adam.moments().forEach((name, t) -> moments.put(name, t.data()));
        assertEquals(trainer.parameters().all().keySet(), gradients.keySet(), "every parameter has a gradient");

        for (Trainer.Example e : List.of(small, large, small)) {
            float[] before = memory.clone();
            trainer.step(List.of(e));
            assertFalse(Arrays.equals(before, memory), "the step wrote its activations into the kept memory");
            assertSame(memory, stateMemory(model, e.batch()), "a batch no larger than the largest so far reuses the memory");
            trainer.gradients().all().forEach((name, g) -> assertSame(gradients.get(name), g, "gradient of " + name));
            assertEquals(gradients.keySet(), trainer.gradients().all().keySet());
            adam.moments().forEach((name, t) -> assertSame(moments.get(name), t.data(), name));
        }

        TrainingState grown = model.bert().trainingState(larger.batch(), Dropout.OFF);
        assertNotSame(memory, grown.lastHiddenState().data(), "a larger batch grows the state");
        assertEquals(larger.batch().tokens(), grown.capacity());
        assertSame(grown.lastHiddenState().data(), stateMemory(model, small.batch()), "and it is not shrunk for a smaller one");
    }
}
