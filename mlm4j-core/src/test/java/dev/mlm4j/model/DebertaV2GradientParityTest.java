package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.ScalarKernels;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.weights.safetensors.SafetensorsCheckpoint;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

import static dev.mlm4j.JsonArrays.intRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gradient parity of DeBERTa-v3's training with PyTorch: the loss and every parameter's gradient of one fixed batch on
 * the perturbed deberta-v3-tiny (relative attention with log buckets, share_att_key, c2p and p2c, the relative
 * embeddings' LayerNorm), against transformers' autograd in float64, for DebertaV2ForMaskedLM (lm_predictions head),
 * DebertaV2ForSequenceClassification (pooler.dense + GELU, classifier) and DebertaV2ForTokenClassification. Fixtures:
 * training/deberta/{mlm,classify,tag} from scripts/reference/training/deberta_gradients.py; and DeBERTa-v2's other
 * attention settings (training/deberta/v2-mlm: own pos_key_proj/pos_query_proj, unbucketed clamped distances, no
 * LayerNorm on the relative embeddings, absolute positions, two token types) and the legacy masked-LM head
 * (training/deberta/legacy-mlm: cls.predictions, transformers' default), and embed_proj with the legacy head over the
 * narrower embeddings (training/deberta/v2-embed-mlm), and with the convolution after the first layer too
 * (v2-conv-mlm: conv_act gelu; v2-tanh-mlm: tanh). PyTorch pads the two sequences (40 and 9
 * tokens, the second with [PAD] once) and masks the padding; mlm4j packs them.
 */
class DebertaV2GradientParityTest {
    @ParameterizedTest
    @CsvSource({"mlm, vector", "mlm, scalar", "classify, vector", "classify, scalar", "tag, vector", "tag, scalar", "v2-mlm, vector", "v2-mlm, scalar",
            "legacy-mlm, vector", "legacy-mlm, scalar", "v2-embed-mlm, vector", "v2-embed-mlm, scalar",
            "v2-conv-mlm, vector", "v2-conv-mlm, scalar", "v2-tanh-mlm, vector", "v2-tanh-mlm, scalar"})
    void lossAndEveryGradientMatchTransformers(String fixture, String kernels) throws Exception {
        Kernels k = kernels.equals("scalar") ? new ScalarKernels() : Kernels.get();
        Path dir = folder(fixture);
        JsonNode batchJson = new ObjectMapper().readTree(dir.resolve("batch.json").toFile());
        Batch batch = Batch.of(intRows(batchJson.get("ids")), intRows(batchJson.get("token_types")));
        int[] labels = Arrays.stream(intRows(batchJson.get("labels"))).flatMapToInt(Arrays::stream).toArray();
        Gradients g = new Gradients();
        double loss;
        Set<String> parameters;
        try (Checkpoint c = Checkpoint.open(dir)) {
            Trainable model = (Trainable) c.load(task(fixture), Precision.FP32).orElseThrow();
            parameters = new TreeSet<>(model.parameters().all().keySet());
            loss = model.lossAndGradients(k, batch, labels, g);
        }
        try (SafetensorsCheckpoint expected = SafetensorsCheckpoint.open(dir.resolve("gradients.safetensors"))) {
            // the reader presents canonical names (the top-level pooler.dense.* as bert.pooler.dense.*): compare under the file's own
            java.util.Map<String, String> stored = new java.util.TreeMap<>();
            for (String n : expected.names()) if (!n.equals("loss")) stored.put(expected.storedName(n), n);
            Set<String> names = stored.keySet();
            assertEquals(names, parameters, "mlm4j's parameters are transformers' named parameters");
            double torchLoss = expected.load("loss").get(0);
            java.util.Map<String, FloatTensor> torch = new java.util.TreeMap<>();
            for (String name : names) torch.put(name, expected.load(stored.get(name)));
            GradientComparison.Worst worst = GradientComparison.assertMatches("deberta " + fixture + ", " + kernels + " kernels", torchLoss, loss, torch, g);
            System.out.printf("deberta %s, %s kernels: loss %.9f (torch %.9f), %d gradients; worst %s, max relative error %.3g%n", fixture, kernels,
                    loss, torchLoss, names.size(), worst.name(), worst.relative());
        }
    }

    /** The training forward computes what inference computes, and a backward pass leaves inference unchanged. */
    @ParameterizedTest
    @ValueSource(strings = {"vector", "scalar"})
    void theTrainingForwardAgreesWithInference(String kernels) throws Exception {
        Kernels k = kernels.equals("scalar") ? new ScalarKernels() : Kernels.get();
        Path dir = folder("mlm");
        JsonNode batchJson = new ObjectMapper().readTree(dir.resolve("batch.json").toFile());
        Batch batch = Batch.of(intRows(batchJson.get("ids")), intRows(batchJson.get("token_types")));
        try (Checkpoint c = Checkpoint.open(dir)) {
            DebertaV2ForMaskedLM model = (DebertaV2ForMaskedLM) c.load(Task.MASKED_LM, Precision.FP32).orElseThrow();
            int[] labels = Arrays.stream(intRows(batchJson.get("labels"))).flatMapToInt(Arrays::stream).toArray();
            GradientComparison.assertTrainingForwardAgreesWithInference(k, batch, model, model.encoder(), labels);
        }
    }

    /**
     * With dropout on (every site: the embeddings, the relative embeddings before each layer's projections, the attention
     * probabilities, both output denses, the convolution, the classifier) the masks are fixed by the seed, so the loss is
     * a function of the weights whose gradient the backward gives: central differences on a few weights agree with it.
     */
    @ParameterizedTest
    @CsvSource({"classify, deberta.encoder.rel_embeddings.weight:37 deberta.encoder.layer.0.attention.self.key_proj.weight:70 "
            + "deberta.encoder.layer.1.attention.self.query_proj.bias:5 deberta.encoder.LayerNorm.weight:3 deberta.embeddings.LayerNorm.bias:11 pooler.dense.weight:40",
            "v2-conv-mlm, deberta.encoder.conv.conv.weight:100 deberta.encoder.conv.LayerNorm.weight:3 deberta.embeddings.embed_proj.weight:50 "
            + "deberta.encoder.layer.0.attention.self.pos_key_proj.weight:70 deberta.encoder.rel_embeddings.weight:37 cls.predictions.transform.dense.weight:10"})
    void withDropoutTheGradientIsTheLossesDerivative(String fixture, String probes) throws Exception {
        Kernels k = new ScalarKernels();
        Path dir = folder(fixture);
        JsonNode batchJson = new ObjectMapper().readTree(dir.resolve("batch.json").toFile());
        Batch batch = Batch.of(intRows(batchJson.get("ids")), intRows(batchJson.get("token_types")));
        int[] labels = Arrays.stream(intRows(batchJson.get("labels"))).flatMapToInt(Arrays::stream).toArray();
        Dropout dropout = new Dropout(0.2, 0.2, 0.2, 7);
        try (Checkpoint c = Checkpoint.open(dir)) {
            Trainable model = (Trainable) c.load(task(fixture), Precision.FP32).orElseThrow();
            var p = model.parameters();
            Gradients g = new Gradients();
            double loss = model.lossAndGradients(k, batch, labels, g, dropout);
            assertNotEquals(model.lossAndGradients(k, batch, labels, new Gradients(), Dropout.OFF), loss, "dropout changes the loss");
            for (String probe : probes.split(" ")) {
                String name = probe.split(":")[0];
                int at = Integer.parseInt(probe.split(":")[1]);
                FloatTensor w = p.get(name);
                int i = w.offset() + at;
                float keep = w.data()[i], h = 1e-2f;
                w.data()[i] = keep + h;
                double up = model.lossAndGradients(k, batch, labels, new Gradients(), dropout);
                w.data()[i] = keep - h;
                double down = model.lossAndGradients(k, batch, labels, new Gradients(), dropout);
                w.data()[i] = keep;
                double numeric = (up - down) / (2 * h), analytic = g.get(name).data()[g.get(name).offset() + at];
                assertEquals(numeric, analytic, 2e-2 * Math.max(1e-2, Math.abs(numeric)), probe);
            }
        }
    }

    private static Task<?> task(String fixture) {
        return fixture.endsWith("mlm") ? Task.MASKED_LM : fixture.equals("classify") ? Task.SEQUENCE_CLASSIFICATION : Task.TOKEN_CLASSIFICATION;
    }

    private static Path folder(String fixture) throws Exception {
        return Path.of(DebertaV2GradientParityTest.class.getResource("/training/deberta/" + fixture + "/config.json").toURI()).getParent();
    }
}
