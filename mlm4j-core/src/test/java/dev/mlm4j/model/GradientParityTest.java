package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.Precision;
import dev.mlm4j.config.ProblemType;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.ScalarKernels;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.weights.safetensors.SafetensorsCheckpoint;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static dev.mlm4j.JsonArrays.intRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gradient parity with PyTorch (issue 18): the loss and every parameter's gradient of one fixed batch on a tiny random
 * BERT, against transformers' autograd, for the masked-LM head ({@code training/tiny-bert-mlm}) and the
 * sequence-classification head ({@code training/tiny-bert-classify}) and the token-classification head
 * ({@code training/tiny-bert-tag}) and the question-answering head ({@code training/tiny-bert-qa}). Each fixture (the model folder, batch.json and
 * gradients.safetensors, computed in float64 in train mode with dropout 0) comes from
 * scripts/reference/training/gradient_parity.py; the regression and multi-label heads ({@code training/tiny-bert-regression},
 * {@code tiny-bert-regression3}, {@code tiny-bert-multilabel}) from scripts/reference/training/problem_types.py. PyTorch
 * pads the two sequences and masks the padding; mlm4j packs them.
 */
class GradientParityTest {
    /** One step of a model: loss and gradients for a batch and its labels (flattened as batch.json lists them). */
    private interface Step {
        double run(Checkpoint c, Kernels k, Batch batch, int[] labels, Gradients g);
    }

    @ParameterizedTest
    @ValueSource(strings = {"vector", "scalar"})
    void maskedLmLossAndEveryGradientMatchTransformers(String kernels) throws Exception {
        check("tiny-bert-mlm", kernels, 42, (c, k, batch, labels, g) ->
                ((BertForMaskedLM) c.load(Task.MASKED_LM, Precision.FP32).orElseThrow()).lossAndGradients(k, batch, labels, g));
    }

    @ParameterizedTest
    @ValueSource(strings = {"vector", "scalar"})
    void sequenceClassificationLossAndEveryGradientMatchTransformers(String kernels) throws Exception {
        check("tiny-bert-classify", kernels, 41, (c, k, batch, labels, g) ->
                ((BertForSequenceClassification) c.load(Task.SEQUENCE_CLASSIFICATION, Precision.FP32).orElseThrow())
                        .lossAndGradients(k, batch, labels, g));
    }

    /**
     * A causal model's classifier pools the last token (config.json "is_decoder": true, "mlm4j_pooling": "last"):
     * training/tiny-bert-decoder-classify from scripts/reference/training/last_token_classifier.py, the same computation
     * by hand from transformers' BertModel(is_decoder=True), pooler and classifier; inference gives its logits too.
     */
    @ParameterizedTest
    @ValueSource(strings = {"vector", "scalar"})
    void lastTokenClassificationOfACausalModelMatchesItsPyTorchReference(String kernels) throws Exception {
        check("tiny-bert-decoder-classify", kernels, 41, (c, k, batch, labels, g) -> {
            BertForSequenceClassification m = (BertForSequenceClassification) c.load(Task.SEQUENCE_CLASSIFICATION, Precision.FP32).orElseThrow();
            assertTrue(m.encoder().config().isDecoder() && m.encoder().config().poolsLastToken());
            JsonNode want;
            try {
                want = new ObjectMapper().readTree(c.folder().resolve("logits.json").toFile()).get("logits");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            dev.mlm4j.tensor.FloatTensor logits = m.logits(k, m.encoder().forward(k, batch, ForwardOptions.DEFAULT));
            for (int s = 0; s < 2; s++) {
                for (int j = 0; j < 3; j++) assertEquals(want.get(s).get(j).asDouble(), logits.data()[logits.rowOffset(s) + j], 1e-5, "logit " + s + "," + j);
            }
            return m.lossAndGradients(k, batch, labels, g);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"vector", "scalar"})
    void tokenClassificationLossAndEveryGradientMatchTransformers(String kernels) throws Exception {
        check("tiny-bert-tag", kernels, 39, (c, k, batch, labels, g) ->
                ((BertForTokenClassification) c.load(Task.TOKEN_CLASSIFICATION, Precision.FP32).orElseThrow())
                        .lossAndGradients(k, batch, labels, g));
    }

    @ParameterizedTest
    @ValueSource(strings = {"vector", "scalar"})
    void questionAnsweringLossAndEveryGradientMatchTransformers(String kernels) throws Exception {
        check("tiny-bert-qa", kernels, 39, (c, k, batch, spans, g) -> {           // spans: start, end per sequence
            int[] starts = new int[spans.length / 2], ends = new int[spans.length / 2];
            for (int i = 0; i < starts.length; i++) {
                starts[i] = spans[2 * i];
                ends[i] = spans[2 * i + 1];
            }
            return ((BertForQuestionAnswering) c.load(Task.QUESTION_ANSWERING, Precision.FP32).orElseThrow())
                    .lossAndGradients(k, batch, starts, ends, g);
        });
    }

    /**
     * RoBERTa and XLM-RoBERTa train on BERT's layers at their own positions (from pad_token_id + 1) with their own heads:
     * {@code lm_head} (the decoder tied), {@code classifier.dense} → tanh → {@code classifier.out_proj} on {@code <s>},
     * {@code classifier} on every token; ELECTRA's discriminator with {@code embeddings_project} (16 → 32) between its
     * embeddings and BERT's layers, and GELU in its classification head; DistilBERT with its own blocks (no dropout
     * after out_lin), its {@code vocab_*} masked-LM head at the root, {@code pre_classifier} → ReLU → {@code classifier}
     * and no token types. Fixtures: training/families/ from scripts/reference/training/family_gradients.py (the families'
     * tiny checkpoints, perturbed; transformers' RobertaFor… / XLMRobertaFor… / ElectraFor… / DistilBertFor… autograd in
     * float64).
     */
    @ParameterizedTest
    @CsvSource({"roberta-mlm, vector, 42", "roberta-mlm, scalar, 42", "xlm-roberta-mlm, vector, 42", "xlm-roberta-mlm, scalar, 42",
            "roberta-classify, vector, 41", "roberta-classify, scalar, 41", "xlm-roberta-classify, vector, 41",
            "roberta-tag, vector, 39", "roberta-tag, scalar, 39", "xlm-roberta-tag, vector, 39",
            "electra-classify, vector, 43", "electra-classify, scalar, 43", "electra-tag, vector, 41", "electra-tag, scalar, 41",
            "distilbert-mlm, vector, 41", "distilbert-mlm, scalar, 41", "distilbert-classify, vector, 40", "distilbert-classify, scalar, 40",
            "distilbert-tag, vector, 38", "distilbert-tag, scalar, 38"})
    void robertaElectraAndDistilBertLossAndEveryGradientMatchTransformers(String fixture, String kernels, int parameters) throws Exception {
        Task<?> task = fixture.endsWith("-mlm") ? Task.MASKED_LM : fixture.endsWith("-classify") ? Task.SEQUENCE_CLASSIFICATION : Task.TOKEN_CLASSIFICATION;
        check("families/" + fixture, kernels, parameters, (c, k, batch, labels, g) -> {
            Trainable model = (Trainable) c.load(task, Precision.FP32).orElseThrow();
            Set<String> extra = new TreeSet<>(model.parameters().all().keySet());
            extra.removeAll(gradientNames(c));
            assertEquals(Set.of(), extra, "parameters transformers does not have");
            return model.lossAndGradients(k, batch, labels, g);
        });
    }

    private static Set<String> gradientNames(Checkpoint c) {
        try (SafetensorsCheckpoint expected = SafetensorsCheckpoint.open(c.folder().resolve("gradients.safetensors"))) {
            return new TreeSet<>(expected.names());
        }
    }

    /**
     * transformers' losses under config.problem_type (scripts/reference/training/problem_types.py): regression with one
     * output (MSE on the squeezed logits) and with three (MSE over every element), and multi-label with four outputs
     * (binary cross-entropy on the logits against multi-hot rows), each gradient through the pooler and the encoder; and
     * the same losses on RoBERTa's (regression, 3 outputs) and XLM-R's (multi-label, 3) classification heads
     * (scripts/reference/training/family_gradients.py).
     */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-bert-regression:vector", "tiny-bert-regression:scalar", "tiny-bert-regression3:vector",
            "tiny-bert-regression3:scalar", "tiny-bert-multilabel:vector", "tiny-bert-multilabel:scalar",
            "families/roberta-regression:vector", "families/roberta-regression:scalar", "families/xlm-roberta-multilabel:vector"})
    void regressionAndMultiLabelLossAndEveryGradientMatchTransformers(String fixtureAndKernels) throws Exception {
        String[] fk = fixtureAndKernels.split(":");
        ProblemType problem = fk[0].contains("regression") ? ProblemType.REGRESSION : ProblemType.MULTI_LABEL_CLASSIFICATION;
        checkWith(fk[0], fk[1], 41, (c, k, batch, json, g) -> {
            List<Float> flat = new ArrayList<>();
            json.get("targets").forEach(row -> row.forEach(v -> flat.add(v.floatValue())));
            float[] targets = new float[flat.size()];
            for (int i = 0; i < targets.length; i++) targets[i] = flat.get(i);
            Trainable m = (Trainable) c.load(Task.SEQUENCE_CLASSIFICATION, Precision.FP32).orElseThrow();   // BERT's, or RoBERTa's head
            try {
                assertEquals(problem.id(), new ObjectMapper().readTree(c.folder().resolve("config.json").toFile()).path("problem_type").asText(), "config.json");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return m.lossAndGradients(k, batch, targets, problem, g, dev.mlm4j.layers.Dropout.OFF);
        });
    }

    /**
     * The training forward computes what inference computes (the exact attention path and GELU outside the GEMM, so
     * not bit for bit): the last hidden state and the MLM logits at the labelled rows agree to float rounding, and a
     * backward pass leaves the inference outputs unchanged.
     */
    @ParameterizedTest
    @ValueSource(strings = {"vector", "scalar"})
    void theTrainingForwardAgreesWithInference(String kernels) throws Exception {
        Kernels k = kernels.equals("scalar") ? new ScalarKernels() : Kernels.get();
        Path dir = Path.of(GradientParityTest.class.getResource("/training/tiny-bert-mlm/config.json").toURI()).getParent();
        JsonNode batchJson = new ObjectMapper().readTree(dir.resolve("batch.json").toFile());
        Batch batch = Batch.of(intRows(batchJson.get("ids")), intRows(batchJson.get("token_types")));
        try (Checkpoint c = Checkpoint.open(dir)) {
            BertForMaskedLM model = (BertForMaskedLM) c.load(Task.MASKED_LM, Precision.FP32).orElseThrow();
            int[] labels = new int[batch.tokens()];
            Arrays.fill(labels, -100);
            labels[2] = 7;
            GradientComparison.assertTrainingForwardAgreesWithInference(k, batch, model, model.bert(), labels);
        }
    }

    private static void check(String fixture, String kernels, int parameters, Step step) throws Exception {
        checkWith(fixture, kernels, parameters, (c, k, batch, json, g) ->
                step.run(c, k, batch, Arrays.stream(intRows(json.get("labels"))).flatMapToInt(Arrays::stream).toArray(), g));
    }

    /** A step reading its labels from batch.json itself. */
    private interface JsonStep {
        double run(Checkpoint c, Kernels k, Batch batch, JsonNode batchJson, Gradients g);
    }

    private static void checkWith(String fixture, String kernels, int parameters, JsonStep step) throws Exception {
        Kernels k = kernels.equals("scalar") ? new ScalarKernels() : Kernels.get();
        Path dir = Path.of(GradientParityTest.class.getResource("/training/" + fixture + "/config.json").toURI()).getParent();
        JsonNode batchJson = new ObjectMapper().readTree(dir.resolve("batch.json").toFile());
        Batch batch = Batch.of(intRows(batchJson.get("ids")), intRows(batchJson.get("token_types")));

        Gradients g = new Gradients();
        double loss;
        try (Checkpoint c = Checkpoint.open(dir)) {
            loss = step.run(c, k, batch, batchJson, g);
        }
        try (SafetensorsCheckpoint expected = SafetensorsCheckpoint.open(dir.resolve("gradients.safetensors"))) {
            java.util.Map<String, FloatTensor> torch = new java.util.TreeMap<>();
            for (String name : expected.names()) if (!name.equals("loss")) torch.put(name, expected.load(name));
            double torchLoss = expected.load("loss").get(0);
            GradientComparison.Worst worst = GradientComparison.assertMatches(fixture + ", " + kernels + " kernels", torchLoss, loss, torch, g);
            System.out.printf("%s, %s kernels: loss %.9f (torch %.9f); worst gradient %s, max relative error %.3g%n", fixture, kernels, loss, torchLoss,
                    worst.name(), worst.relative());
            assertEquals(parameters, worst.compared(), "every named parameter compared");
        }
    }
}
