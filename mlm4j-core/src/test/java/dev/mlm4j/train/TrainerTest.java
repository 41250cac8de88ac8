package dev.mlm4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.model.BertForMaskedLM;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.model.ForwardOptions;
import dev.mlm4j.model.Task;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.safetensors.SafetensorsCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Trainer on the tiny MLM fixture (training/tiny-bert-mlm): parameters, accumulation, int8 refusal, saving a folder mlm4j reads back. */
class TrainerTest {
    private static final Path MLM = fixture();

    private static Path fixture() {
        try {
            return TrajectoryTest.fixture("tiny-bert-mlm");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static BertForMaskedLM load(Precision p) {
        try (Checkpoint c = Checkpoint.open(MLM)) {
            return (BertForMaskedLM) c.load(Task.MASKED_LM, p).orElseThrow();
        }
    }

    private static Trainer.Example batchJson() throws Exception {
        return TrajectoryTest.examples(List.of(new ObjectMapper().readTree(MLM.resolve("batch.json").toFile()))).getFirst();
    }

    private static Trainer trainer(BertForMaskedLM m, int accumulation) {
        return new Trainer(m, new AdamW(0.01), new LinearSchedule(1e-3, 0, 10), 1.0, accumulation, Kernels.get());
    }

    /** Logits at every row of {@code batch}: the inference path (packed GEMMs), as a pipeline would run it. */
    private static float[] logits(BertForMaskedLM m, Batch batch) {
        return m.logits(m.encoder().forward(batch, ForwardOptions.DEFAULT), IntStream.range(0, batch.tokens()).toArray()).toArray();
    }

    @Test
    void parametersAreTransformersNamesAndPackingTheMasterPerUseChangesNoBit() throws Exception {
        BertForMaskedLM m = load(Precision.FP32);
        Batch batch = batchJson().batch();
        float[] before = logits(m, batch);
        var p = m.parameters();
        try (SafetensorsCheckpoint file = SafetensorsCheckpoint.open(MLM.resolve("model.safetensors"))) {
            assertEquals(new TreeSet<>(file.names()), new TreeSet<>(p.all().keySet()), "every tensor transformers saved, nothing else");
        }
        assertArrayEquals(before, logits(m, batch), "packed per use from the fp32 master copy: the same bits as the loaded packing");
        p.get("bert.encoder.layer.1.attention.self.value.weight").data()[p.get("bert.encoder.layer.1.attention.self.value.weight").offset()] += 1f;
        assertFalse(java.util.Arrays.equals(before, logits(m, batch)), "a changed fused weight reaches the forward");
    }

    @Test
    void int8ModelsRefuseTrainingInOneLine() {
        BertForMaskedLM m = load(Precision.INT8);
        var e = assertThrows(UnsupportedOperationException.class, m::parameters);
        assertTrue(e.getMessage().contains("fp32") && !e.getMessage().contains("\n"), e.getMessage());
    }

    /** Two micro-batches of the same batch, averaged, are the same step as the batch once. */
    @Test
    void accumulationAveragesTheMicroBatches() throws Exception {
        Trainer.Example ex = batchJson();
        BertForMaskedLM once = load(Precision.FP32), twice = load(Precision.FP32);
        Trainer a = trainer(once, 1), b = trainer(twice, 2);
        Trainer.Step sa = a.step(List.of(ex)), sb = b.step(List.of(ex, ex));
        assertEquals(sa.loss(), sb.loss(), 1e-12);
        assertEquals(sa.gradNorm(), sb.gradNorm(), 1e-5 * sa.gradNorm());
        for (Map.Entry<String, FloatTensor> e : a.parameters().all().entrySet()) {
            assertArrayEquals(e.getValue().toArray(), b.parameters().get(e.getKey()).toArray(), 1e-6f, e.getKey());
        }
        assertThrows(IllegalArgumentException.class, () -> b.step(List.of(ex)));
    }

    @Test
    void savedFolderLoadsBackWithIdenticalOutputs(@TempDir Path tmp) throws Exception {
        BertForMaskedLM m = load(Precision.FP32);
        Trainer.Example ex = batchJson();
        float[] start = logits(m, ex.batch());
        Trainer t = trainer(m, 1);
        t.train(List.of(ex), 3);
        float[] trained = logits(m, ex.batch());
        assertFalse(java.util.Arrays.equals(start, trained), "three steps moved the model");
        Path out = tmp.resolve("trained");
        t.save(MLM, out);
        assertTrue(Files.isRegularFile(out.resolve("config.json")) && Files.isRegularFile(out.resolve("vocab.txt")));
        try (Checkpoint c = Checkpoint.open(out)) {
            BertForMaskedLM back = (BertForMaskedLM) c.load(Task.MASKED_LM, Precision.FP32).orElseThrow();
            assertArrayEquals(trained, logits(back, ex.batch()), "the saved folder computes the trained model's logits");
        }
        var e = assertThrows(IllegalArgumentException.class, () -> t.save(MLM, out));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
    }
}
