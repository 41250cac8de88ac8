package dev.mlm4j.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlm4j.model.TestModels;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.TaskFixtures;
import dev.mlm4j.pipelines.TextClassification;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.safetensors.SafetensorsCheckpoint;
import dev.mlm4j.weights.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./mlm4j convert ENCODER DIR --head HEAD_DIR}: the folder is what the task fixtures' README ("Assembling a task
 * folder") prescribes, and a bad head folder is a one-line error that leaves nothing behind. The tiny checkpoints
 * (tasks/tiny, saved by transformers' save_pretrained) are split here into an encoder folder and a head folder and put
 * together again: the result must be the checkpoint, tensor for tensor. (The pretrained tests assemble every demo head
 * onto the real encoders through {@link TaskFixtures#pretrained} and match transformers' outputs on them.)
 */
class TaskAssemblyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> FRAGMENT_KEYS = List.of("architectures", "id2label", "label2id", "problem_type");

    @TempDir Path tmp;

    @Test
    void tinySentimentSplitAndReassembledIsTheCheckpoint() throws IOException {
        Path tiny = TaskFixtures.tiny("sentiment");
        Converter.Result r = Converter.convert(encoderOf(tiny, null), tmp.resolve("out"), false, headOf(tiny));
        assertEquals("BertForSequenceClassification", r.architecture());
        assertEquals(List.of("config.json", "model.safetensors", "tokenizer_config.json", "vocab.txt"), r.files(),
                "no mlm4j-model.json: a hub card would name the encoder's task");
        assertEquals(List.of("cls.* (the masked-LM head)"), r.leftOut());
        assertSameTensors(tiny, r.folder());
        assertTrue(names(r.folder()).contains("bert.pooler.dense.weight"), "a sequence classifier keeps the pooler");
        assertConfig(tiny, r.folder());
        assertArrayEquals(Files.readAllBytes(tiny.resolve("vocab.txt")), Files.readAllBytes(r.folder().resolve("vocab.txt")));
        assertEquals(List.of("encoder", "head", "out"), siblings());
    }

    @Test
    void tinyNerDropsTheEncodersPoolerAsTransformersBuildsItWithoutOne() throws IOException {
        Path tiny = TaskFixtures.tiny("ner");
        // the tiny sentiment model's pooler (same width) stands in for an encoder's pooler
        Converter.Result r = Converter.convert(encoderOf(tiny, TaskFixtures.tiny("sentiment")), tmp.resolve("out"), false, headOf(tiny));
        assertEquals("BertForTokenClassification", r.architecture());
        assertEquals(List.of("bert.pooler.* (2 tensors: BertForTokenClassification has no pooler)", "cls.* (the masked-LM head)"), r.leftOut());
        assertSameTensors(tiny, r.folder());
        assertConfig(tiny, r.folder());
    }

    /**
     * RoBERTa, XLM-R, ELECTRA and DistilBERT task models (the families' tiny fixtures, saved by transformers) split into
     * an encoder and a head and put together again are the checkpoints, tensor for tensor, with their config.json and
     * tokenizer files; a bare encoder's names ({@code embeddings.*}, as {@code RobertaModel.save_pretrained} writes them;
     * ELECTRA's {@code embeddings_project.*} and DistilBERT's {@code transformer.*} too) come back under the family's
     * scope, and the masked-LM or replaced-token head and the pooler are left out, as transformers builds these models.
     */
    @ParameterizedTest
    @CsvSource({"xlm-roberta-tiny-sequence-classification, true", "xlm-roberta-tiny-sequence-classification, false",
            "roberta-tiny-token-classification, true", "roberta-tiny-token-classification, false",
            "electra-tiny-sequence-classification, true", "electra-tiny-sequence-classification, false",
            "distilbert-tiny-sequence-classification, true", "distilbert-tiny-sequence-classification, false",
            "distilbert-tiny-token-classification, true", "distilbert-tiny-token-classification, false"})
    void familyTaskModelsSplitAndReassembledAreTheCheckpoints(String fixture, boolean prefixed) throws Exception {
        Path tiny = Path.of(TaskAssemblyTest.class.getResource("/families/" + fixture + "/config.json").toURI()).getParent();
        boolean electra = fixture.startsWith("electra"), distilbert = fixture.startsWith("distilbert");
        String scope = electra ? "electra." : distilbert ? "distilbert." : "roberta.";
        Path encoder = Files.createDirectories(tmp.resolve("encoder"));
        Map<String, FloatTensor> tensors = new TreeMap<>();
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(tiny)) {
            for (String n : c.names()) if (n.startsWith(scope)) tensors.put(prefixed ? n : n.substring(scope.length()), c.load(n));
            int hidden = c.info(scope + (distilbert ? "transformer.layer.0.ffn.lin2.weight" : "encoder.layer.0.output.dense.weight")).shape()[0];
            if (distilbert) {
                if (prefixed) tensors.put("vocab_projector.bias", FloatTensor.zeros(c.info(scope + "embeddings.word_embeddings.weight").shape()[0]));
            } else if (electra && prefixed) {                       // the discriminator's head, which a classifier does not keep
                tensors.put("discriminator_predictions.dense.weight", FloatTensor.zeros(hidden, hidden));
                tensors.put("discriminator_predictions.dense.bias", FloatTensor.zeros(hidden));
            } else if (!electra) {
                tensors.put((prefixed ? scope : "") + "pooler.dense.weight", FloatTensor.zeros(hidden, hidden));
                tensors.put((prefixed ? scope : "") + "pooler.dense.bias", FloatTensor.zeros(hidden));
                if (prefixed) tensors.put("lm_head.bias", FloatTensor.zeros(c.info(scope + "embeddings.word_embeddings.weight").shape()[0]));
            }
        }
        SafetensorsWriter.write(encoder.resolve("model.safetensors"), tensors, Map.of());
        ObjectNode config = (ObjectNode) JSON.readTree(tiny.resolve("config.json").toFile());
        FRAGMENT_KEYS.forEach(config::remove);
        String type = config.get("model_type").asText();
        config.putArray("architectures").add(switch (type) {
            case "roberta" -> "RobertaModel";
            case "electra" -> "ElectraModel";
            case "distilbert" -> "DistilBertModel";
            default -> "XLMRobertaModel";
        });
        JSON.writeValue(encoder.resolve("config.json").toFile(), config);
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) Files.copy(tiny.resolve(f), encoder.resolve(f));

        Converter.Result r = Converter.convert(encoder, tmp.resolve("out"), false, headOf(tiny, scope));
        assertEquals(JSON.readTree(tiny.resolve("config.json").toFile()).get("architectures").get(0).asText(), r.architecture());
        List<String> leftOut = distilbert ? (prefixed ? List.of("vocab_projector.* (the masked-LM head)") : List.of())
                : electra ? (prefixed ? List.of("discriminator_predictions.* (2 tensors: the replaced-token head)") : List.of())
                : prefixed ? List.of("lm_head.* (the masked-LM head)", "roberta.pooler.* (2 tensors: " + r.architecture() + " has no pooler)")
                : List.of("bert.pooler.* (2 tensors: " + r.architecture() + " has no pooler)");   // bare names are read under bert.
        assertEquals(leftOut, r.leftOut());
        assertSameTensors(tiny, r.folder());
        assertConfig(tiny, r.folder());
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
            assertArrayEquals(Files.readAllBytes(tiny.resolve(f)), Files.readAllBytes(r.folder().resolve(f)), f);
        }
    }

    /** The real MiniLM (ONNX, no pooler) and the rerank demo head, which brings its own pooler; logits as transformers'. */
    @Test
    void miniLmWithTheRerankHeadGetsTheHeadsPoolerAndScoresAsTransformers() throws IOException {
        Path fixture = TaskFixtures.pretrainedFixture("rerank-all-MiniLM-L6-v2");
        Path out = tmp.resolve("rerank");
        Converter.Result r = Converter.convert(TestModels.folder("all-MiniLM-L6-v2"), out, false, fixture);
        assertEquals(List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"), r.files());
        assertEquals(List.of("bert.embeddings.position_ids (I64)"), r.leftOut());
        Set<String> names = names(out);
        assertTrue(names.containsAll(List.of("bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight", "classifier.bias")), names.toString());
        assertTrue(names.stream().allMatch(n -> n.startsWith("bert.embeddings.") || n.startsWith("bert.encoder.")
                || n.startsWith("bert.pooler.") || n.startsWith("classifier.")), names.toString());
        try (SafetensorsCheckpoint head = SafetensorsCheckpoint.open(fixture.resolve(HeadFolder.TENSORS));
             SafetensorsCheckpoint st = SafetensorsCheckpoint.open(out)) {
            for (String n : head.names()) assertArrayEquals(head.load(n).toArray(), st.load(n).toArray(), n);
        }
        assertEquals(256, JSON.readTree(out.resolve("tokenizer_config.json").toFile()).get("model_max_length").asInt(),
                "MiniLM's working length, which the rerank truncation depends on");
        JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
        assertEquals("{\"0\":\"LABEL_0\"}", config.get("id2label").toString());
        assertEquals(384, config.get("hidden_size").asInt());

        JsonNode c = TaskFixtures.expected(fixture).get("cases").get(0);   // transformers' logits on the same folder
        List<TextClassification.Input> pairs = new ArrayList<>();
        for (JsonNode d : c.get("documents")) pairs.add(TextClassification.Input.pair(c.get("query").asText(), d.asText()));
        List<float[]> logits = Models.textClassification(out.toString()).logits(pairs);
        for (int i = 0; i < pairs.size(); i++) assertEquals(c.get("logits").get(i).asDouble(), logits.get(i)[0], 1e-4, "document " + i);
    }

    @Test
    void aBadHeadFolderIsOneLineAndLeavesNothingBehind() throws IOException {
        Path tiny = TaskFixtures.tiny("sentiment");
        Path encoder = encoderOf(tiny, null);
        Path head = headOf(tiny);
        Path missing = tmp.resolve("nowhere");
        assertRefused(encoder, missing, "no such head folder: " + missing + " (a head folder holds head.safetensors and config-fragment.json)");

        Path noTensors = copy(head, "no-tensors");
        Files.delete(noTensors.resolve("head.safetensors"));
        assertRefused(encoder, noTensors, noTensors + " has no head.safetensors (a head folder holds head.safetensors and config-fragment.json)");

        Path noFragment = copy(head, "no-fragment");
        Files.delete(noFragment.resolve("config-fragment.json"));
        assertRefused(encoder, noFragment, noFragment + " has no config-fragment.json (a head folder holds head.safetensors and config-fragment.json)");

        Path badJson = copy(head, "bad-json");
        Files.writeString(badJson.resolve("config-fragment.json"), "{\"architectures\": [\"BertForSequenceClassification\"");
        assertRefused(encoder, badJson, "unreadable " + badJson.resolve("config-fragment.json") + ": ");

        Path noArch = copy(head, "no-arch");
        Files.writeString(noArch.resolve("config-fragment.json"), "{\"id2label\": {\"0\": \"A\"}}");
        assertRefused(encoder, noArch, noArch.resolve("config-fragment.json")
                + ": \"architectures\" must name the one task model, e.g. [\"BertForSequenceClassification\"]");

        Path unknown = copy(head, "unknown-arch");
        Files.writeString(unknown.resolve("config-fragment.json"), "{\"architectures\": [\"BertForMultipleChoice\"]}");
        assertRefused(encoder, unknown, unknown.resolve("config-fragment.json")
                + ": \"architectures\" names BertForMultipleChoice, which mlm4j does not implement (it implements BertModel, ");

        Path labels = copy(head, "labels");
        Files.writeString(labels.resolve("config-fragment.json"), "{\"architectures\": [\"BertForSequenceClassification\"],"
                + " \"id2label\": {\"0\": \"A\", \"1\": \"B\", \"2\": \"C\"}, \"label2id\": {\"A\": 0, \"B\": 1, \"C\": 2}}");
        assertRefused(encoder, labels, labels.resolve("config-fragment.json") + ": id2label has 3 labels but classifier.weight has 2 rows");

        // a head made for a 384-wide encoder (all-MiniLM-L6-v2) on this 32-wide one
        Path wide = TaskFixtures.pretrainedFixture("rerank-all-MiniLM-L6-v2");
        assertRefused(encoder, wide, wide.resolve("head.safetensors") + ": bert.pooler.dense.bias is [384] but the encoder's is [32]");
        Path wideClassifier = copy(wide, "wide-classifier");
        Map<String, FloatTensor> only = new TreeMap<>();
        try (SafetensorsCheckpoint h = SafetensorsCheckpoint.open(wide.resolve("head.safetensors"))) {
            for (String n : List.of("classifier.weight", "classifier.bias")) only.put(n, h.load(n));
        }
        SafetensorsWriter.write(wideClassifier.resolve("head.safetensors"), only, Map.of());
        assertRefused(encoder, wideClassifier, wideClassifier.resolve("head.safetensors")
                + ": classifier.weight is [1, 384] but the hidden size of " + encoder + " is 32: the head was made for another encoder");

        Path empty = copy(head, "empty");
        SafetensorsWriter.write(empty.resolve("head.safetensors"), Map.of(), Map.of());
        assertRefused(encoder, empty, empty.resolve("head.safetensors") + " holds no tensors");

        try (Stream<Path> s = Files.list(tmp)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith(".out") || p.getFileName().toString().equals("out")),
                    "no output or temporary folder left behind");
        }
    }

    private void assertRefused(Path encoder, Path head, String messageStart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Converter.convert(encoder, tmp.resolve("out"), false, head));
        assertTrue(e.getMessage().startsWith(messageStart), "expected: " + messageStart + "\nactual:   " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    /**
     * An encoder folder made of the checkpoint {@code tiny}: its {@code bert.*} tensors (plus {@code poolerFrom}'s
     * pooler, and a {@code cls.predictions.bias} standing for a masked-LM head), config.json without the fragment's keys
     * and naming BertModel, the tokenizer files.
     */
    private Path encoderOf(Path tiny, Path poolerFrom) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("encoder"));
        Map<String, FloatTensor> tensors = new TreeMap<>();
        int vocab;
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(tiny)) {
            for (String n : c.names()) if (n.startsWith("bert.")) tensors.put(n, c.load(n));
            vocab = c.info("bert.embeddings.word_embeddings.weight").shape()[0];
        }
        if (poolerFrom != null) {
            try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(poolerFrom)) {
                for (String n : c.names()) if (n.startsWith("bert.pooler.")) tensors.put(n, c.load(n));
            }
        }
        tensors.put("cls.predictions.bias", FloatTensor.zeros(vocab));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of());
        ObjectNode config = (ObjectNode) JSON.readTree(tiny.resolve("config.json").toFile());
        FRAGMENT_KEYS.forEach(config::remove);
        config.putArray("architectures").add("BertModel");
        JSON.writeValue(dir.resolve("config.json").toFile(), config);
        for (String f : List.of("vocab.txt", "tokenizer_config.json")) Files.copy(tiny.resolve(f), dir.resolve(f));
        return dir;
    }

    /** The head folder of {@code tiny}: its tensors outside {@code bert.*}, config-fragment.json with its task keys. */
    private Path headOf(Path tiny) throws IOException {
        return headOf(tiny, "bert.");
    }

    /** The checkpoint's tensors outside the encoder's scope {@code encoder} and its config's task keys, as a head folder. */
    private Path headOf(Path tiny, String encoder) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("head"));
        Map<String, FloatTensor> tensors = new TreeMap<>();
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(tiny)) {
            for (String n : c.names()) if (!n.startsWith(encoder)) tensors.put(n, c.load(n));
        }
        SafetensorsWriter.write(dir.resolve(HeadFolder.TENSORS), tensors, Map.of());
        JsonNode config = JSON.readTree(tiny.resolve("config.json").toFile());
        ObjectNode fragment = JSON.createObjectNode();
        for (String k : FRAGMENT_KEYS) if (config.has(k)) fragment.set(k, config.get(k));
        JSON.writeValue(dir.resolve(HeadFolder.FRAGMENT).toFile(), fragment);
        return dir;
    }

    private Path copy(Path head, String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("heads").resolve(name));
        for (String f : List.of(HeadFolder.TENSORS, HeadFolder.FRAGMENT)) Files.copy(head.resolve(f), dir.resolve(f));
        return dir;
    }

    /** Same tensor names as transformers saved, every one bit for bit. */
    private static void assertSameTensors(Path expected, Path actual) {
        try (SafetensorsCheckpoint e = SafetensorsCheckpoint.open(expected); SafetensorsCheckpoint a = SafetensorsCheckpoint.open(actual)) {
            assertEquals(new TreeSet<>(e.names()), new TreeSet<>(a.names()));
            for (String n : e.names()) assertArrayEquals(e.load(n).toArray(), a.load(n).toArray(), n);
        }
    }

    /** The fragment's keys as transformers saved them; the sizes as the checkpoint's config.json. */
    private static void assertConfig(Path expected, Path actual) throws IOException {
        JsonNode e = JSON.readTree(expected.resolve("config.json").toFile()), a = JSON.readTree(actual.resolve("config.json").toFile());
        for (String k : FRAGMENT_KEYS) assertEquals(e.get(k), a.get(k), k);
        for (String k : List.of("model_type", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
                "vocab_size", "max_position_embeddings", "type_vocab_size", "layer_norm_eps", "hidden_act", "pad_token_id")) {
            assertEquals(e.get(k), a.get(k), k);
        }
    }

    private static Set<String> names(Path folder) {
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(folder)) {
            return new TreeSet<>(c.names());
        }
    }

    private List<String> siblings() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
