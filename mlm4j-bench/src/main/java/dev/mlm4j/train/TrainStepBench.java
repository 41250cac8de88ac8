package dev.mlm4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.model.Task;
import dev.mlm4j.model.Trainable;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.util.ProgressListener;
import dev.mlm4j.weights.safetensors.SafetensorsWriter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The mlm4j side of scripts/bench-train: the time of one optimiser step (forward + backward + gradient clipping +
 * AdamW, {@link Trainer#step}) on the batches scripts/reference/training/bench_train.py wrote, which its PyTorch peer
 * runs too.
 * <pre>
 *   TrainStepBench prepare MODEL mlm|classify DIR   the catalogue's MODEL converted, with a seeded random head
 *                                                   (BertForMaskedLM or BertForSequenceClassification, 2 labels)
 *   TrainStepBench run DIR mlm|classify BATCHES.json STEPS [WARMUP]
 * </pre>
 * run prints one line: {@code mlm4j LABEL median_ms=… min_ms=… tokens=… steps=… warmup=… kernels=… threads=…}; the first
 * WARMUP steps (default 1; JIT warm-up, lazily built buffers) are not counted. C2 keeps compiling through the first few
 * steps (each kernel at each new shape), so one warm-up step left some of that in the timed ones: MiniLM's Brown
 * classification took 371 ms a step as the median of three after one warm-up step, 321 after three, 308 after five
 * (scripts/bench-train's default, for both engines).
 */
public final class TrainStepBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals("prepare")) prepare(args[1], args[2], Path.of(args[3]));
        else if ((args.length == 5 || args.length == 6) && args[0].equals("run")) {
            run(Path.of(args[1]), args[2], Path.of(args[3]), Integer.parseInt(args[4]), args.length == 6 ? Integer.parseInt(args[5]) : 1);
        }
        else throw new IllegalArgumentException("usage: prepare MODEL mlm|classify DIR | run DIR mlm|classify BATCHES.json STEPS");
    }

    static void prepare(String model, String objective, Path dir) throws Exception {
        if (Files.isRegularFile(dir.resolve("config.json"))) return;
        Path encoder = dir.resolveSibling("encoder-" + model);
        if (!Files.isRegularFile(encoder.resolve("config.json"))) Models.convert(model, encoder, true, ProgressListener.NONE);
        JsonNode config = JSON.readTree(encoder.resolve("config.json").toFile());
        int h = config.get("hidden_size").asInt(), vocab = config.get("vocab_size").asInt();
        Random rnd = new Random(18);
        Map<String, FloatTensor> head = new LinkedHashMap<>();
        ObjectNode fragment = JSON.createObjectNode();
        if (objective.equals("mlm")) {
            fragment.putArray("architectures").add("BertForMaskedLM");
            head.put("cls.predictions.transform.dense.weight", random(rnd, 0.05, h, h));
            head.put("cls.predictions.transform.dense.bias", random(rnd, 0.01, h));
            FloatTensor ones = FloatTensor.zeros(h);
            Arrays.fill(ones.data(), 1f);
            head.put("cls.predictions.transform.LayerNorm.weight", ones);
            head.put("cls.predictions.transform.LayerNorm.bias", FloatTensor.zeros(h));
            head.put("cls.predictions.bias", random(rnd, 0.01, vocab));
        } else {
            fragment.putArray("architectures").add("BertForSequenceClassification");
            fragment.putObject("id2label").put("0", "NEGATIVE").put("1", "POSITIVE");
            fragment.putObject("label2id").put("NEGATIVE", 0).put("POSITIVE", 1);
            head.put("bert.pooler.dense.weight", random(rnd, 0.05, h, h));
            head.put("bert.pooler.dense.bias", random(rnd, 0.01, h));
            head.put("classifier.weight", random(rnd, 0.05, 2, h));
            head.put("classifier.bias", random(rnd, 0.01, 2));
        }
        Path headDir = Files.createTempDirectory("bench-train-head-");
        SafetensorsWriter.write(headDir.resolve("head.safetensors"), head, Map.of());
        JSON.writeValue(headDir.resolve("config-fragment.json").toFile(), fragment);
        Models.convert(encoder.toString(), dir, false, headDir, ProgressListener.NONE);
    }

    private static FloatTensor random(Random rnd, double std, int... shape) {
        FloatTensor t = FloatTensor.zeros(shape);
        for (int i = 0; i < t.data().length; i++) t.data()[i] = (float) (rnd.nextGaussian() * std);
        return t;
    }

    static void run(Path dir, String objective, Path batchesJson, int steps, int warmup) throws Exception {
        JsonNode root = JSON.readTree(batchesJson.toFile());
        List<Trainer.Example> examples = new ArrayList<>();
        long tokens = 0;
        for (JsonNode b : root.get("batches")) {
            Batch batch = Batch.of(ints(b.get("ids")), ints(b.get("token_types")));
            int[] labels = Arrays.stream(ints(b.get("labels"))).flatMapToInt(Arrays::stream).toArray();
            examples.add(new Trainer.Example(batch, labels));
            tokens += batch.tokens();
        }
        Trainable model;
        try (Checkpoint c = Checkpoint.open(dir)) {
            model = (Trainable) (objective.equals("mlm") ? c.load(Task.MASKED_LM, Precision.FP32) : c.load(Task.SEQUENCE_CLASSIFICATION, Precision.FP32)).orElseThrow();
        }
        Trainer trainer = new Trainer(model, new AdamW(0.01), new LinearSchedule(5e-5, 0, 1_000_000), 1.0, 1, Kernels.get())
                .dropout(Dropout.bert(1));                           // train mode, as the peer
        double[] ms = new double[steps];
        for (int s = 0; s < warmup + steps; s++) {
            long t0 = System.nanoTime();
            trainer.step(List.of(examples.get(s % examples.size())));
            if (s >= warmup) ms[s - warmup] = (System.nanoTime() - t0) / 1e6;
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        System.out.printf("mlm4j %s median_ms=%.0f min_ms=%.0f tokens_per_batch=%d steps=%d warmup=%d kernels=%s threads=%d%n", root.get("label").asText(),
                sorted[steps / 2], sorted[0], tokens / examples.size(), steps, warmup, Kernels.get().name(), Parallel.threads());
    }

    // the core tests read their fixtures with dev.mlm4j.JsonArrays (test sources, which a benchmark jar does not see)
    private static int[][] ints(JsonNode rows) {
        int[][] out = new int[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new int[rows.get(i).size()];
            for (int j = 0; j < out[i].length; j++) out[i][j] = rows.get(i).get(j).asInt();
        }
        return out;
    }
}
