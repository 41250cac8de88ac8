package dev.mlm4j.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.hub.ModelCard;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.model.TestModels;
import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.FillMask;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.weights.safetensors.SafetensorsCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Converting to a Hugging Face folder: what is written, and that the folder computes exactly what the source does. */
class ConverterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    /** An int8 ONNX model (-q) converted to float32 safetensors says what it loses, rather than nothing (from the int8 audit). */
    @Test
    void anInt8ModelSaysItsQuantisationIsNotKept(@TempDir Path tmp) {
        Models.Conversion q = Models.convert("all-MiniLM-L6-v2-q", tmp.resolve("q"), false, null);
        assertTrue(q.leftOut().stream().anyMatch(l -> l.startsWith("the int8 quantisation (weights written dequantised to float32")), q.leftOut().toString());
        Models.Conversion fp32 = Models.convert("all-MiniLM-L6-v2", tmp.resolve("f"), false, null);
        assertTrue(fp32.leftOut().stream().noneMatch(l -> l.contains("int8")), fp32.leftOut().toString());
    }

    @Test
    void bertBaseUncasedFromTensorFlowFillsMasksWithTheSameNumbers() throws IOException {
        Path source = TestModels.folder("bert-base-uncased");
        Converter.Result r = Converter.convert(source, tmp.resolve("bert"), false);
        Path out = tmp.resolve("bert");
        assertEquals(out, r.folder());
        assertEquals("BertForMaskedLM", r.architecture());
        assertEquals(List.of("config.json", "mlm4j-model.json", "model.safetensors", "tokenizer_config.json", "vocab.txt"), r.files());
        assertEquals(List.of("bert"), siblings(), "no temporary folder left behind");

        JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
        assertEquals("[\"BertForMaskedLM\"]", config.get("architectures").toString());
        assertEquals("bert", config.get("model_type").asText());
        assertEquals(768, config.get("hidden_size").asInt());
        assertEquals(12, config.get("num_hidden_layers").asInt());
        assertEquals(12, config.get("num_attention_heads").asInt());
        assertEquals(3072, config.get("intermediate_size").asInt());
        assertEquals(30522, config.get("vocab_size").asInt());
        assertEquals(512, config.get("max_position_embeddings").asInt());
        assertEquals(1e-12, config.get("layer_norm_eps").asDouble());
        assertEquals("gelu", config.get("hidden_act").asText());
        assertTrue(config.get("tie_word_embeddings").asBoolean());
        JsonNode tc = JSON.readTree(out.resolve("tokenizer_config.json").toFile());
        assertTrue(tc.get("do_lower_case").asBoolean());
        assertTrue(tc.get("clean_up_tokenization_spaces").asBoolean(), "transformers 5 decodes as mlm4j does only when told to");
        assertEquals("[MASK]", tc.get("mask_token").asText());
        assertArrayEquals(Files.readAllBytes(source.resolve("assets/vocab.txt")), Files.readAllBytes(out.resolve("vocab.txt")));
        ModelCard card = ModelCard.read(out).orElseThrow();
        assertEquals(ModelCard.Format.SAFETENSORS, card.format());
        assertEquals(ModelCard.Task.FILL_MASK, card.task());

        // every tensor bit for bit, under the same canonical name; the tied decoder is not stored
        try (Checkpoint src = Checkpoint.open(source); SafetensorsCheckpoint st = SafetensorsCheckpoint.open(out)) {
            assertEquals(src.tensors().names(), st.names());
            assertFalse(st.contains("cls.predictions.decoder.weight"));
            assertTrue(st.contains("cls.predictions.bias") && st.contains("bert.pooler.dense.weight"));
            assertEquals(r.tensors(), st.names().size());
            long params = 0;
            for (String name : st.names()) {
                assertArrayEquals(src.tensors().load(name).toArray(), st.load(name).toArray(), name);
                params += st.info(name).elements();
            }
            assertEquals(r.parameters(), params);
            assertEquals(110_104_890L + 0, params + 0, "bert-base-uncased's parameter count (see FACTS.md)");
        }

        FillMask original = Models.fillMask(source.toString()), converted = Models.fillMask(out.toString());
        List<String> texts = List.of("Paris is the [MASK] of France.", "The man worked as a [MASK].", "I [MASK] you, and you [MASK] me.");
        deterministic(() -> original.fill(texts, FillMask.Options.DEFAULT));
        List<List<FillMask.MaskResult>> a = original.fill(texts, FillMask.Options.DEFAULT), b = converted.fill(texts, FillMask.Options.DEFAULT);
        assertEquals(a, b, "same tokens, same scores, to the last bit");
        assertEquals("capital", a.getFirst().getFirst().predictions().getFirst().tokenStr());
    }

    @Test
    void miniLmFromOnnxEmbedsIdentically() throws IOException {
        Path source = TestModels.folder("all-MiniLM-L6-v2");
        Path out = tmp.resolve("minilm");
        Converter.Result r = Converter.convert(source, out, false);
        assertEquals("BertModel", r.architecture());
        assertEquals(List.of("1_Pooling/config.json", "config.json", "mlm4j-model.json", "model.safetensors", "modules.json",
                "sentence_bert_config.json", "tokenizer.json", "tokenizer_config.json"), r.files());
        assertEquals(List.of("bert.embeddings.position_ids (I64)"), r.leftOut());
        assertArrayEquals(Files.readAllBytes(source.resolve("tokenizer.json")), Files.readAllBytes(out.resolve("tokenizer.json")));
        JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
        assertEquals("[\"BertModel\"]", config.get("architectures").toString());
        assertEquals(384, config.get("hidden_size").asInt());
        assertEquals(6, config.get("num_hidden_layers").asInt());
        assertEquals(12, config.get("num_attention_heads").asInt());
        ModelCard card = ModelCard.read(out).orElseThrow();
        assertEquals(ModelCard.Pooling.MEAN, card.pooling());
        assertEquals(Boolean.TRUE, card.normalize());
        assertEquals(256, card.maxLength());
        assertEquals(256, JSON.readTree(out.resolve("sentence_bert_config.json").toFile()).get("max_seq_length").asInt());
        JsonNode pooling = JSON.readTree(out.resolve("1_Pooling/config.json").toFile());
        assertTrue(pooling.get("pooling_mode_mean_tokens").asBoolean());
        assertFalse(pooling.get("pooling_mode_cls_token").asBoolean());
        assertEquals(3, JSON.readTree(out.resolve("modules.json").toFile()).size(), "Transformer, Pooling, Normalize");

        FeatureExtraction original = Models.embeddings(source.toString()), converted = Models.embeddings(out.toString());
        assertEquals(original.defaultPooling(), converted.defaultPooling());
        assertEquals(original.defaultNormalize(), converted.defaultNormalize());
        assertEquals(original.maxLength(), converted.maxLength());
        List<String> texts = List.of("A man is playing a guitar.", "Someone plays an instrument.", "The stock market fell.", "");
        deterministic(() -> original.embed(texts).stream().map(java.util.Arrays::toString).toList());
        List<float[]> a = original.embed(texts), b = converted.embed(texts);
        for (int i = 0; i < texts.size(); i++) assertArrayEquals(a.get(i), b.get(i), "text " + i + ": identical embeddings");
    }

    @Test
    void bgeKeepsClsPooling() throws IOException {
        Path out = tmp.resolve("bge");
        Converter.convert(TestModels.folder("bge-small-en-v1.5"), out, false);
        JsonNode pooling = JSON.readTree(out.resolve("1_Pooling/config.json").toFile());
        assertTrue(pooling.get("pooling_mode_cls_token").asBoolean());
        assertFalse(pooling.get("pooling_mode_mean_tokens").asBoolean());
        assertEquals(12, JSON.readTree(out.resolve("config.json").toFile()).get("num_hidden_layers").asInt());
        FeatureExtraction original = Models.embeddings(TestModels.folder("bge-small-en-v1.5").toString());
        deterministic(() -> java.util.Arrays.toString(original.embed("Represent this sentence.")));
        float[] a = original.embed("Represent this sentence.");
        float[] b = Models.embeddings(out.toString()).embed("Represent this sentence.");
        assertArrayEquals(a, b);
    }

    @Test
    void aNonEmptyTargetIsRefusedUnlessForcedAndThenReplaced() throws IOException {
        Path source = TestModels.folder("all-MiniLM-L6-v2");
        Path out = Files.createDirectories(tmp.resolve("taken"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Converter.convert(source, out, false));
        assertEquals(out + " is not empty; use --force to replace it", e.getMessage());
        assertEquals("mine", Files.readString(out.resolve("notes.txt")), "left as it was");

        e = assertThrows(IllegalArgumentException.class, () -> Converter.convert(source, out, true));
        assertEquals(out + " is not empty and holds no model (no config.json): not replacing it, even with --force", e.getMessage());
        assertEquals("mine", Files.readString(out.resolve("notes.txt")), "a folder that is not a model is never replaced");

        Files.writeString(out.resolve("config.json"), "{}");
        Converter.convert(source, out, true);
        assertFalse(Files.exists(out.resolve("notes.txt")), "replaced whole");
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
        assertEquals(List.of("taken"), siblings(), "neither the old folder nor a temporary one is left");

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Converter.convert(source, empty, false);
        assertTrue(Files.isRegularFile(empty.resolve("config.json")), "an empty folder is fine without --force");
    }

    @Test
    void refusesToOverwriteItsOwnSourceOrAFile() throws IOException {
        Path copy = tmp.resolve("copy");
        Converter.convert(TestModels.folder("all-MiniLM-L6-v2"), copy, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Converter.convert(copy, copy, true));
        assertTrue(e.getMessage().endsWith("the output folder holds the model itself"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Converter.convert(copy, tmp, true));
        assertTrue(e.getMessage().endsWith("the output folder holds the model itself"), e.getMessage());
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertEquals(file + " exists and is not a folder",
                assertThrows(IllegalArgumentException.class, () -> Converter.convert(copy, file, true)).getMessage());
    }

    @Test
    void aBrokenSourceLeavesNothingBehind() throws IOException {
        Path broken = Files.createDirectories(tmp.resolve("broken"));
        Files.writeString(broken.resolve("config.json"), "{\"vocab_size\": 10, \"hidden_size\": 4, \"num_hidden_layers\": 1,"
                + " \"num_attention_heads\": 1, \"intermediate_size\": 8, \"max_position_embeddings\": 8, \"type_vocab_size\": 1}");
        Files.write(broken.resolve("model.safetensors"), new byte[] {1, 2, 3});
        RuntimeException e = assertThrows(RuntimeException.class, () -> Converter.convert(broken, tmp.resolve("out"), false));
        assertTrue(e.getMessage().contains("too short for a safetensors file"), e.getMessage());
        assertEquals(List.of("broken"), siblings());
    }

    /**
     * Runs {@code job} twice, cold then warmer, and requires the same result: the kernels give the same bits whatever the
     * JIT tier (VectorMath), so a difference is a bug to report, not to retry away.
     */
    static void deterministic(java.util.function.Supplier<Object> job) {
        Object first = job.get(), second = job.get();
        assertEquals(first, second, "the same input gave different results on its second run");
    }

    private List<String> siblings() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            Set<String> names = new TreeSet<>();
            s.forEach(p -> names.add(p.getFileName().toString()));
            return List.copyOf(names);
        }
    }
    /**
     * A vocab.txt folder whose tokenizer_config.json keeps accents while lower-casing (strip_accents false) converts
     * to a folder that tokenizes the same, as transformers reads it: the ids of tokens/vocab-tokenizer-config.json
     * (scripts/reference/tokens/vocab_tokenizer_config.py). Without strip_accents carried over, "Canción" became "cancion".
     */
    @Test
    void tokenizerConfigNormalizerOptionsSurviveConversion() throws IOException {
        JsonNode fixture;
        try (var in = ConverterTest.class.getResourceAsStream("/tokens/vocab-tokenizer-config.json")) {
            fixture = new ObjectMapper().readTree(in);
        }
        JsonNode keep = null;
        for (JsonNode c : fixture.get("cases")) {
            if (c.get("config").toString().equals("{\"do_lower_case\":true,\"strip_accents\":false}")) keep = c;
        }
        Path from = Files.createDirectories(tmp.resolve("from"));
        Path to = Files.createDirectories(tmp.resolve("to"));
        try (var vocab = ConverterTest.class.getResourceAsStream("/tokens/" + fixture.get("vocab").asText())) {
            Files.copy(vocab, from.resolve("vocab.txt"));
        }
        Files.writeString(from.resolve("tokenizer_config.json"), keep.get("config").toString());
        Converter.writeTokenizer(from, to, dev.mlm4j.tokens.TokenizerFiles.huggingFace(from).load(), 512);
        dev.mlm4j.tokens.Tokenizer converted = dev.mlm4j.tokens.TokenizerFiles.huggingFace(to).load();
        for (int i = 0; i < keep.get("texts").size(); i++) {
            assertArrayEquals(dev.mlm4j.JsonArrays.ints(keep.get("ids").get(i)), converted.encode(keep.get("texts").get(i).asText()).ids());
        }
    }
}
