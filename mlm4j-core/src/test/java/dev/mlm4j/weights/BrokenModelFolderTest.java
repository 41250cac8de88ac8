package dev.mlm4j.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.model.Task;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Model folders that are broken in one way each but used to load anyway (issue 14, item 11), generated from the
 * transformers-written fixture {@code fixtures/hf-tiny-bert}: each must fail at load with one line naming the file,
 * the field or the tensor, never compute a wrong answer.
 */
class BrokenModelFolderTest {
    @TempDir Path tmp;

    private Path variant(String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        try (var s = Files.list(HuggingFaceFolderTest.fixture())) {
            for (Path p : s.filter(Files::isRegularFile).toList()) Files.copy(p, dir.resolve(p.getFileName()));
        }
        return dir;
    }

    private static String failure(Runnable load) {
        RuntimeException e = assertThrows(RuntimeException.class, load::run);
        assertTrue(e instanceof IllegalArgumentException || e instanceof IllegalStateException, "a plain error the CLI reports in one line, not " + e);
        String m = e.getMessage();
        assertFalse(m.contains("\n"), "one line: " + m);
        return m;
    }

    private static String openFailure(Path folder) {
        return failure(() -> Checkpoint.open(folder).close());
    }

    /** Loads the whole model the way the pipelines do (every weight through {@link Weights}). */
    private static void loadModel(Path folder) {
        try (Checkpoint c = Checkpoint.open(folder)) {
            c.load(Task.MASKED_LM);
            c.load(Task.ENCODER);
        }
    }

    private static void assertContains(String message, String... expected) {
        for (String x : expected) assertTrue(message.contains(x), "expected '" + x + "' in: " + message);
    }

    @Test
    void theFixtureLoads() {
        loadModel(HuggingFaceFolderTest.fixture());
    }

    @Test
    void vocabularyShorterThanTheEmbeddingTableLoadsALongerOneIsRefused() throws IOException {
        Path dir = variant("short-vocab");
        Files.delete(dir.resolve("tokenizer.json"));        // so vocab.txt is the tokenizer
        List<String> lines = Files.readAllLines(dir.resolve("vocab.txt"));
        Files.write(dir.resolve("vocab.txt"), lines.subList(0, 20));
        loadModel(dir);   // a table with more rows than the tokenizer has tokens loads, as in transformers (deberta-v3-base: 128,100 for 128,001)

        dir = variant("long-vocab");
        Files.delete(dir.resolve("tokenizer.json"));
        List<String> longer = new java.util.ArrayList<>(lines);
        longer.addAll(List.of("extra1", "extra2"));
        Files.write(dir.resolve("vocab.txt"), longer);
        assertContains(openFailure(dir), "vocab.txt has 32 tokens", "has 30 rows");

        dir = variant("short-tokenizer-json");
        ObjectMapper json = new ObjectMapper();
        JsonNode tj = json.readTree(dir.resolve("tokenizer.json").toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) tj.get("model").get("vocab")).remove("##o");
        json.writeValue(dir.resolve("tokenizer.json").toFile(), tj);
        loadModel(dir);   // one token fewer: every other keeps its id and row, as transformers reads it
    }

    /** Overwrites one float of {@code tensor} in model.safetensors, found through the file's own header. */
    private static void poison(Path folder, String tensor, int element, float value) throws IOException {
        Path file = folder.resolve("model.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] len = new byte[8];
            f.readFully(len);
            long n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
            byte[] header = new byte[(int) n];
            f.readFully(header);
            JsonNode t = new ObjectMapper().readTree(new String(header, StandardCharsets.UTF_8)).get(tensor);
            f.seek(8 + n + t.get("data_offsets").get(0).asLong() + 4L * element);
            f.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).array());
        }
    }

    @Test
    void nanOrInfinityInAWeightIsRefusedByName() throws IOException {
        Path dir = variant("nan");
        poison(dir, "bert.encoder.layer.1.output.dense.weight", 17, Float.NaN);
        Path d1 = dir;
        assertContains(failure(() -> loadModel(d1)), "bert.encoder.layer.1.output.dense.weight", "NaN", "element 17");

        Path d2 = variant("inf");
        poison(d2, "bert.embeddings.word_embeddings.weight", 5, Float.NEGATIVE_INFINITY);
        assertContains(failure(() -> loadModel(d2)), "bert.embeddings.word_embeddings.weight", "-Infinity", "element 5");

        Path d3 = variant("nan-head");
        poison(d3, "cls.predictions.bias", 0, Float.NaN);
        assertContains(failure(() -> loadModel(d3)), "cls.predictions.bias", "NaN");
    }

    @Test
    void configValuesMlm4jDoesNotImplementAreRefused() throws IOException {
        String config = Files.readString(HuggingFaceFolderTest.fixture().resolve("config.json"));
        String[][] cases = {
                {"\"model_type\": \"bert\"", "\"model_type\": \"gpt2\"", "\"model_type\": \"gpt2\" is not supported"},
                {"\"model_type\": \"bert\"", "\"model_type\": \"bert\", \"position_embedding_type\": \"relative_key\"",
                        "\"position_embedding_type\": \"relative_key\" is not supported"},
                // is_decoder true is implemented (a causal BERT, BertDecoderGoldenTest); cross-attention is not
                {"\"add_cross_attention\": false", "\"add_cross_attention\": true", "\"add_cross_attention\": true is not supported"},
                {"\"hidden_act\": \"gelu\"", "\"hidden_act\": \"gelu_new\"", "\"hidden_act\": \"gelu_new\" is not supported"},
                {"\"hidden_size\": 32", "\"hidden_size\": null", "\"hidden_size\": null is not a positive integer"},
                {"\"num_hidden_layers\": 2", "\"num_hidden_layers\": \"2\"", "\"num_hidden_layers\": \"2\" is not a positive integer"},
                {"\"layer_norm_eps\": 1e-12", "\"layer_norm_eps\": null", "\"layer_norm_eps\": null is not a positive number"},
                {"\"model_type\": \"bert\"", "\"model_type\": null", "\"model_type\": null is not supported"},
        };
        int i = 0;
        for (String[] c : cases) {
            assertTrue(config.contains(c[0]), "fixture has " + c[0]);
            Path dir = variant("config" + i++);
            Files.writeString(dir.resolve("config.json"), config.replace(c[0], c[1]));
            assertContains(openFailure(dir), dir.resolve("config.json").toString(), c[2]);
        }
        for (String whole : new String[] {"null", "[]", "", "42"}) {
            Path dir = variant("config" + i++);
            Files.writeString(dir.resolve("config.json"), whole);
            assertContains(openFailure(dir), dir.resolve("config.json").toString(), "is not a JSON object");
        }
        // what mlm4j implements, said explicitly, still opens
        Path dir = variant("config-explicit");
        Files.writeString(dir.resolve("config.json"), config.replace("\"model_type\": \"bert\"",
                "\"model_type\": \"bert\", \"position_embedding_type\": \"absolute\", \"pad_token_id\": null"));
        Checkpoint.open(dir).close();
    }

    @Test
    void aHeadWithATensorMissingNamesTheTensor() throws IOException {
        Path dir = variant("headless-bias");
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        try (Checkpoint c = Checkpoint.open(dir)) {
            for (String name : c.tensors().names()) if (!name.equals("cls.predictions.bias")) tensors.put(name, c.tensors().load(name));
        }
        Files.delete(dir.resolve("model.safetensors"));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        String m = failure(() -> Models.fillMask(dir.toString()));
        assertContains(m, "missing weight 'cls.predictions.bias'");
        assertFalse(m.contains("has no masked-language-model head"), m);

        // with no cls.predictions.* tensor at all, the model has no head: one message, naming the model
        Path bare = variant("no-head");
        tensors.keySet().removeIf(n -> n.startsWith("cls."));
        Files.delete(bare.resolve("model.safetensors"));
        SafetensorsWriter.write(bare.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        assertContains(failure(() -> Models.fillMask(bare.toString())), "has no masked-language-model head (no cls.predictions.* tensors)");
    }

    @Test
    void safetensorsWithBytesAfterTheHeadersJson() throws IOException {
        Path dir = variant("trailing");
        Path file = dir.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(all, 8, (int) n, StandardCharsets.UTF_8).stripTrailing();
        // same length as the original header: the JSON, then "xx" where spaces were (or replacing its last two bytes)
        byte[] h = (header + "xx").getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + all.length - 8 - (int) n).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(all, 8 + (int) n, all.length - 8 - (int) n);
        Files.write(file, b.array());
        assertContains(openFailure(dir), file.toString(), "has bytes after its JSON object");
    }
}
