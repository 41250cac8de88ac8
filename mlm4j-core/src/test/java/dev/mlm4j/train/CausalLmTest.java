package dev.mlm4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.JsonArrays;
import dev.mlm4j.config.Batch;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.weights.safetensors.SafetensorsCheckpoint;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The causal-LM objective against transformers' BertLMHeadModel(is_decoder=True) on the tiny masked-LM BERT's weights
 * and batch.json's two sequences (training/tiny-bert-mlm/causal_lm.safetensors from scripts/reference/training/causal_lm.py,
 * float64): the loss within 1e-5 relative and every parameter's gradient within 1e-4 of the largest, per tensor.
 */
class CausalLmTest {
    @Test
    void lossAndGradientsMatchBertLmHeadModel() throws Exception {
        Path dir = TrajectoryTest.fixture("tiny-bert-mlm");
        JsonNode b = new ObjectMapper().readTree(dir.resolve("batch.json").toFile());
        Batch batch = Batch.of(JsonArrays.intRows(b.get("ids")), JsonArrays.intRows(b.get("token_types")));
        int[] labels = CausalLm.nextTokens(batch);
        assertEquals(-100, labels[batch.length(0) - 1], "a sequence's last token predicts nothing");
        assertEquals(batch.ids()[1], labels[0], "row 0 predicts token 1");
        Gradients g = new Gradients();
        double loss;
        try (Checkpoint c = Checkpoint.open(dir)) {
            loss = Objective.CLM.trainable(Objective.CLM.load(c).orElseThrow()).lossAndGradients(Kernels.get(), batch, labels, g);
        }
        try (SafetensorsCheckpoint want = SafetensorsCheckpoint.open(dir.resolve("causal_lm.safetensors"))) {
            double torchLoss = want.load("loss").get(0);
            assertEquals(torchLoss, loss, 1e-5 * torchLoss, "loss");
            int compared = 0;
            double global = 0;
            for (String name : want.names()) if (!name.equals("loss")) for (float v : want.load(name).toArray()) global = Math.max(global, Math.abs(v));
            for (String name : want.names()) {
                if (name.equals("loss")) continue;
                FloatTensor got = g.get(name);
                assertNotNull(got, name);
                float[] w = want.load(name).toArray();
                double max = 0;
                for (float v : w) max = Math.max(max, Math.abs(v));
                double scale = max < 1e-12 ? global * 1e-2 : max;
                assertArrayEquals(w, got.toArray(), (float) (1e-4 * scale), name);
                compared++;
            }
            assertEquals(42, compared);
        }
    }
}
