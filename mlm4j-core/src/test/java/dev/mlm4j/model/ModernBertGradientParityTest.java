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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

import static dev.mlm4j.JsonArrays.intRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ModernBERT's gradient parity with PyTorch: the loss and every parameter's gradient of one batch of two sequences (12
 * and 7 tokens, the second holding pad_token_id once, whose word-table row takes no gradient) on the tiny random
 * families/modernbert-tiny, perturbed: global and sliding-window layers (local_attention 8: |i − j| ≤ 4 cuts both
 * sequences), rotary positions, GeGLU, LayerNorms without bias. Cases: the masked LM (decoder tied to
 * tok_embeddings), the sequence classifier pooling the first token and the mean, the token classifier. Fixtures:
 * training/modernbert/ from scripts/reference/training/modernbert_gradients.py (transformers' ModernBertFor… autograd
 * in float64, eager attention, train mode, dropout 0). Each tensor's max |mlm4j − torch| over max |torch| is at most
 * 1e-4; a tensor whose gradient is zero is measured against the model's largest gradient.
 */
class ModernBertGradientParityTest {
    @ParameterizedTest
    @CsvSource({"mlm, vector", "mlm, scalar", "classify, vector", "classify, scalar", "classify-mean, vector", "classify-mean, scalar",
            "tag, vector", "tag, scalar"})
    void lossAndEveryGradientMatchTransformers(String fixture, String kernels) throws Exception {
        Kernels k = kernels.equals("scalar") ? new ScalarKernels() : Kernels.get();
        Path dir = folder(fixture);
        JsonNode json = new ObjectMapper().readTree(dir.resolve("batch.json").toFile());
        Batch batch = Batch.of(intRows(json.get("ids")), intRows(json.get("token_types")));
        int[] labels = Arrays.stream(intRows(json.get("labels"))).flatMapToInt(Arrays::stream).toArray();
        Task<?> task = fixture.equals("mlm") ? Task.MASKED_LM : fixture.startsWith("classify") ? Task.SEQUENCE_CLASSIFICATION : Task.TOKEN_CLASSIFICATION;
        Gradients g = new Gradients();
        double loss;
        Set<String> parameters;
        try (Checkpoint c = Checkpoint.open(dir)) {
            Trainable model = (Trainable) c.load(task, Precision.FP32).orElseThrow();
            parameters = new TreeSet<>(model.parameters().all().keySet());
            loss = model.lossAndGradients(k, batch, labels, g);
        }
        try (SafetensorsCheckpoint expected = SafetensorsCheckpoint.open(dir.resolve("gradients.safetensors"))) {
            Set<String> names = new TreeSet<>(expected.names());
            names.remove("loss");
            assertEquals(names, parameters, "mlm4j's parameters are transformers'");
            assertEquals(names, new TreeSet<>(g.all().keySet()), "a gradient for every parameter, none other");
            double torchLoss = expected.load("loss").get(0);
            java.util.Map<String, FloatTensor> torch = new java.util.TreeMap<>();
            for (String n : names) torch.put(n, expected.load(n));
            GradientComparison.Worst worst = GradientComparison.assertMatches("modernbert " + fixture + ", " + kernels + " kernels", torchLoss, loss, torch, g);
            System.out.printf("modernbert %s, %s kernels: loss %.9f (torch %.9f), %d tensors; worst %s, max relative error %.3g%n", fixture, kernels,
                    loss, torchLoss, names.size(), worst.name(), worst.relative());
        }
    }

    /** The pad token's row of the word table takes no gradient (nn.Embedding's padding_idx), though the batch holds it (the token classifier: no tied decoder). */
    @Test
    void thePadRowTakesNoGradient() throws Exception {
        Path dir = folder("tag");
        JsonNode json = new ObjectMapper().readTree(dir.resolve("batch.json").toFile());
        int[][] ids = intRows(json.get("ids"));
        try (Checkpoint c = Checkpoint.open(dir)) {
            int pad = ((dev.mlm4j.config.ModernBertConfig) c.config()).padTokenId();
            assertTrue(Arrays.stream(ids).flatMapToInt(Arrays::stream).anyMatch(i -> i == pad), "the batch holds the pad token");
            Trainable model = (Trainable) c.load(Task.TOKEN_CLASSIFICATION, Precision.FP32).orElseThrow();
            Gradients g = new Gradients();
            model.lossAndGradients(Kernels.get(), Batch.of(ids, intRows(json.get("token_types"))),
                    Arrays.stream(intRows(json.get("labels"))).flatMapToInt(Arrays::stream).toArray(), g);
            float[] row = g.get("model.embeddings.tok_embeddings.weight").row(pad).toArray();
            for (int j = 0; j < row.length; j++) assertEquals(0f, row[j], "pad row element " + j);
        }
    }

    /**
     * The training forward computes what inference computes (GELU outside the GEMM, the row log-sum-exps saved: not
     * bit for bit), on both kinds of layer, and a backward pass leaves the inference output unchanged.
     */
    @ParameterizedTest
    @CsvSource({"vector", "scalar"})
    void theTrainingForwardAgreesWithInference(String kernels) throws Exception {
        Kernels k = kernels.equals("scalar") ? new ScalarKernels() : Kernels.get();
        Path dir = folder("mlm");
        JsonNode json = new ObjectMapper().readTree(dir.resolve("batch.json").toFile());
        Batch batch = Batch.of(intRows(json.get("ids")), intRows(json.get("token_types")));
        try (Checkpoint c = Checkpoint.open(dir)) {
            ModernBertForMaskedLM model = (ModernBertForMaskedLM) c.load(Task.MASKED_LM, Precision.FP32).orElseThrow();
            int[] labels = Arrays.stream(intRows(json.get("labels"))).flatMapToInt(Arrays::stream).toArray();
            GradientComparison.assertTrainingForwardAgreesWithInference(k, batch, model, model.encoder(), labels);
        }
    }

    /** With dropout on (every site at 0.1) a step still runs, its loss finite and its gradients not all zero, and differs from the step without. */
    @Test
    void dropoutOnTrains() throws Exception {
        Path dir = folder("classify-mean");
        JsonNode json = new ObjectMapper().readTree(dir.resolve("batch.json").toFile());
        Batch batch = Batch.of(intRows(json.get("ids")), intRows(json.get("token_types")));
        int[] labels = Arrays.stream(intRows(json.get("labels"))).flatMapToInt(Arrays::stream).toArray();
        try (Checkpoint c = Checkpoint.open(dir)) {
            Trainable model = (Trainable) c.load(Task.SEQUENCE_CLASSIFICATION, Precision.FP32).orElseThrow();
            Gradients on = new Gradients(), off = new Gradients();
            double lossOn = model.lossAndGradients(Kernels.get(), batch, labels, on, new Dropout(0.1, 0.1, 0.1, 7));
            double lossOff = model.lossAndGradients(Kernels.get(), batch, labels, off, Dropout.OFF);
            assertTrue(Double.isFinite(lossOn), "loss " + lossOn);
            assertFalse(lossOn == lossOff, "dropout changes the loss");
            float[] w = on.get("model.layers.1.attn.Wqkv.weight").toArray();
            assertTrue(Arrays.stream(toDoubles(w)).anyMatch(v -> v != 0), "gradients flow under dropout");
            Gradients again = new Gradients();
            assertEquals(lossOn, model.lossAndGradients(Kernels.get(), batch, labels, again, new Dropout(0.1, 0.1, 0.1, 7)), "reproducible by seed");
        }
    }

    /** A step of a smaller batch after a larger one runs in the larger one's memory (not zero-filled): the same loss and gradients as on a fresh model. */
    @Test
    void aSmallerBatchReusesTheTrainingStateToTheSameNumbers() throws Exception {
        Path dir = folder("tag");
        JsonNode json = new ObjectMapper().readTree(dir.resolve("batch.json").toFile());
        int[][] ids = intRows(json.get("ids")), types = intRows(json.get("token_types")), labels = intRows(json.get("labels"));
        Batch both = Batch.of(ids, types), second = Batch.of(new int[][] {ids[1]}, new int[][] {types[1]});
        Gradients reused = new Gradients(), fresh = new Gradients();
        double lossReused, lossFresh;
        try (Checkpoint c = Checkpoint.open(dir)) {
            Trainable model = (Trainable) c.load(Task.TOKEN_CLASSIFICATION, Precision.FP32).orElseThrow();
            model.lossAndGradients(Kernels.get(), both, Arrays.stream(labels).flatMapToInt(Arrays::stream).toArray(), new Gradients());
            lossReused = model.lossAndGradients(Kernels.get(), second, labels[1], reused);
        }
        try (Checkpoint c = Checkpoint.open(dir)) {
            lossFresh = ((Trainable) c.load(Task.TOKEN_CLASSIFICATION, Precision.FP32).orElseThrow()).lossAndGradients(Kernels.get(), second, labels[1], fresh);
        }
        assertEquals(lossFresh, lossReused, "loss");
        for (String n : fresh.all().keySet()) assertTrue(Arrays.equals(fresh.get(n).toArray(), reused.get(n).toArray()), n);
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static Path folder(String fixture) throws Exception {
        return Path.of(ModernBertGradientParityTest.class.getResource("/training/modernbert/" + fixture + "/config.json").toURI()).getParent();
    }
}
