package dev.mlm4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.model.Task;
import dev.mlm4j.model.Trainable;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.mlm4j.JsonArrays.intRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The "same trajectory" check of issue 18: 50 AdamW steps (warm-up 5, linear decay to 0 at 50, clip 1.0, weight decay
 * 0.01 except biases and LayerNorm, dropout 0) from the tiny BERTs' weights over the same three cycled batches give the
 * loss transformers + torch gave (float32) at every step, within 1e-3. Fixtures: {@code training/<model>/trajectory.json}
 * from scripts/reference/training/trajectory.py, which also records torch's learning rate and gradient norm per step.
 */
class TrajectoryTest {
    private static final double LOSS_TOLERANCE = 1e-3;

    @Test
    void maskedLmFollowsTransformersForFiftySteps() throws Exception {
        follow("tiny-bert-mlm", Task.MASKED_LM);
    }

    @Test
    void sequenceClassificationFollowsTransformersForFiftySteps() throws Exception {
        follow("tiny-bert-classify", Task.SEQUENCE_CLASSIFICATION);
    }

    static Path fixture(String name) throws Exception {
        return Path.of(TrajectoryTest.class.getResource("/training/" + name + "/config.json").toURI()).getParent();
    }

    /** The batches of a trajectory.json (or batch.json's one) as packed micro-batches with flattened labels. */
    static List<Trainer.Example> examples(Iterable<JsonNode> batches) {
        List<Trainer.Example> out = new ArrayList<>();
        for (JsonNode b : batches) {
            int[][] labels = intRows(b.get("labels"));
            out.add(new Trainer.Example(Batch.of(intRows(b.get("ids")), intRows(b.get("token_types"))),
                    Arrays.stream(labels).flatMapToInt(Arrays::stream).toArray()));
        }
        return out;
    }

    private void follow(String name, Task<?> task) throws Exception {
        Path dir = fixture(name);
        JsonNode t = new ObjectMapper().readTree(dir.resolve("trajectory.json").toFile());
        int steps = t.get("steps").asInt();
        List<Trainer.Step> log;
        try (Checkpoint c = Checkpoint.open(dir)) {
            Trainable model = (Trainable) c.load(task, Precision.FP32).orElseThrow();
            Trainer trainer = new Trainer(model, new AdamW(t.get("weight_decay").asDouble()),
                    new LinearSchedule(t.get("lr").asDouble(), t.get("warmup").asInt(), steps), t.get("max_grad_norm").asDouble(), 1, Kernels.get());
            log = trainer.train(examples(t.get("batches")), steps);
        }
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < steps; i++) {
            double want = t.get("loss").get(i).asDouble(), got = log.get(i).loss();
            assertEquals(t.get("learning_rate").get(i).asDouble(), log.get(i).learningRate(), 1e-12, name + " learning rate at step " + (i + 1));
            assertEquals(t.get("grad_norm").get(i).asDouble(), log.get(i).gradNorm(), 1e-3 * Math.max(1, t.get("grad_norm").get(i).asDouble()),
                    name + " gradient norm at step " + (i + 1));
            if (Math.abs(got - want) > worst) {
                worst = Math.abs(got - want);
                worstAt = i + 1;
            }
            assertEquals(want, got, LOSS_TOLERANCE, name + " loss at step " + (i + 1) + " (mlm4j " + got + ", transformers " + want + ")");
        }
        System.out.printf("%s: %d steps, loss %.6f -> %.6f (transformers %.6f -> %.6f), max |difference| %.3g at step %d%n", name, steps,
                log.get(0).loss(), log.get(steps - 1).loss(), t.get("loss").get(0).asDouble(), t.get("loss").get(steps - 1).asDouble(), worst, worstAt);
        assertTrue(Math.abs(log.get(steps - 1).loss() - log.get(0).loss()) > 0.1, "the model moved");
    }
}
