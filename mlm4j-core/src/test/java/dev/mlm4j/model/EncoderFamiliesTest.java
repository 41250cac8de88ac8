package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.config.BertConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The encoder-family seam: which family a config.json names, what BERT registers, and models built through it. */
class EncoderFamiliesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static JsonNode json(String s) throws IOException {
        return JSON.readTree(s);
    }

    private static String refusal(String config) {
        return assertThrows(IllegalArgumentException.class, () -> EncoderFamilies.of(json(config), "m/config.json")).getMessage();
    }

    /** What the refusals list: every registered architecture, quoted, joined by " or " (grows with each head). */
    private static final String IMPLEMENTED = String.join(" or ",
            EncoderFamilies.bert().architectures().stream().map(a -> "\"" + a + "\"").toList());

    /** What a refusal without model_type lists: every family's architectures. */
    private static final String IMPLEMENTED_BY_ANY = String.join(" or ",
            EncoderFamilies.all().stream().flatMap(f -> f.architectures().stream()).map(a -> "\"" + a + "\"").toList());

    @Test
    void bertRegistersTheBareEncoderWithItsPoolerAndTheMaskedLmByArchitectureName() {
        EncoderFamily bert = EncoderFamilies.bert();
        assertEquals("bert", bert.modelType());
        assertEquals(java.util.List.of("BertModel", "BertForMaskedLM"), bert.architectures().subList(0, 2));
        assertEquals("BertForTokenClassification", bert.head(Task.TOKEN_CLASSIFICATION).orElseThrow().architecture());
        assertEquals("BertForQuestionAnswering", bert.head(Task.QUESTION_ANSWERING).orElseThrow().architecture());
        assertEquals("BertForSequenceClassification", bert.head(Task.SEQUENCE_CLASSIFICATION).orElseThrow().architecture());
        assertEquals("BertModel", bert.head(Task.ENCODER).orElseThrow().architecture());
        assertEquals("BertForMaskedLM", bert.head(Task.MASKED_LM).orElseThrow().architecture());
        assertEquals("BertForSequenceClassification", bert.head(Task.SEQUENCE_CLASSIFICATION).orElseThrow().architecture());
        assertTrue(EncoderFamilies.all().contains(bert));
    }

    @Test
    void theFamilyComesFromModelTypeElseArchitecturesElseIsBert() throws IOException {
        assertSame(EncoderFamilies.bert(), EncoderFamilies.of(json("{\"model_type\": \"bert\", \"architectures\": [\"BertForMaskedLM\"]}"), "c"));
        assertSame(EncoderFamilies.bert(), EncoderFamilies.of(json("{\"architectures\": [\"BertModel\"]}"), "c"));
        assertSame(EncoderFamilies.bert(), EncoderFamilies.of(json("{\"model_type\": \"bert\", \"architectures\": null}"), "c"));
        assertSame(EncoderFamilies.bert(), EncoderFamilies.of(json("{\"hidden_size\": 768}"), "c"));
    }

    @Test
    void anUnknownModelTypeOrArchitectureIsOneLineNamingWhatIsImplemented() {
        assertEquals("m/config.json: \"model_type\": \"gpt2\" is not supported (mlm4j implements " + String.join(" or ",
                        EncoderFamilies.all().stream().map(f -> "\"" + f.modelType() + "\"").toList()) + ")",
                refusal("{\"model_type\": \"gpt2\", \"architectures\": [\"GPT2LMHeadModel\"]}"));
        assertEquals("m/config.json: \"architectures\": \"BertForMultipleChoice\" is not supported (mlm4j implements " + IMPLEMENTED + ")",
                refusal("{\"model_type\": \"bert\", \"architectures\": [\"BertForMultipleChoice\"]}"));
        assertEquals("m/config.json: \"architectures\": \"GPT2Model\" is not supported (mlm4j implements " + IMPLEMENTED_BY_ANY + ")",
                refusal("{\"architectures\": [\"GPT2Model\"]}"));
        assertEquals("m/config.json: \"architectures\": \"BertModel\" is not a list of architecture names",
                refusal("{\"architectures\": \"BertModel\"}"));
    }

    /** Before the seam, a folder whose config.json named a head mlm4j does not build loaded as if it were a bare BERT. */
    @Test
    void aFolderOfAnArchitectureMlm4jDoesNotBuildIsRefusedAtOpen() throws IOException {
        Path dir = copyOfTinyBert("classifier");
        Path config = dir.resolve("config.json");
        String text = Files.readString(config);
        assertTrue(text.contains("\"BertForMaskedLM\""));
        Files.writeString(config, text.replace("\"BertForMaskedLM\"", "\"BertForMultipleChoice\""));
        String m = assertThrows(IllegalArgumentException.class, () -> Checkpoint.open(dir).close()).getMessage();
        assertEquals(config + ": \"architectures\": \"BertForMultipleChoice\" is not supported (mlm4j implements " + IMPLEMENTED + ")", m);
    }

    @Test
    void modelsAreBuiltThroughTheFamilysHeads() throws IOException {
        try (Checkpoint c = Checkpoint.open(copyOfTinyBert("mlm"))) {
            assertSame(EncoderFamilies.bert(), c.family());
            BertConfig config = assertInstanceOf(BertConfig.class, c.config());
            BertForMaskedLM mlm = assertInstanceOf(BertForMaskedLM.class, c.load(Task.MASKED_LM).orElseThrow());
            assertNull(mlm.bert().pooler(), "BertForMaskedLM builds its encoder without the pooler, as transformers");
            assertEquals(config.vocabSize(), mlm.vocabSize());
            assertSame(mlm.bert(), mlm.encoder());
            assertInstanceOf(BertModel.class, c.load(Task.ENCODER).orElseThrow());
        }
        // the same weights without any cls.predictions.* tensor: no masked-LM head, the encoder still loads
        Path bare = copyOfTinyBert("bare");
        try (Checkpoint c = Checkpoint.open(bare)) {
            var kept = new java.util.LinkedHashMap<String, dev.mlm4j.tensor.FloatTensor>();
            for (String n : c.tensors().names()) if (!n.startsWith("cls.")) kept.put(n, c.tensors().load(n));
            Files.delete(bare.resolve("model.safetensors"));
            dev.mlm4j.weights.safetensors.SafetensorsWriter.write(bare.resolve("model.safetensors"), kept, java.util.Map.of("format", "pt"));
        }
        try (Checkpoint c = Checkpoint.open(bare)) {
            assertFalse(c.load(Task.MASKED_LM).isPresent());
            assertInstanceOf(BertModel.class, c.load(Task.ENCODER).orElseThrow());
        }
    }

    private Path copyOfTinyBert(String name) throws IOException {
        Path from;
        try {
            from = Path.of(EncoderFamiliesTest.class.getResource("/fixtures/hf-tiny-bert").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Path dir = Files.createDirectories(tmp.resolve(name));
        try (var s = Files.list(from)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) Files.copy(p, dir.resolve(p.getFileName()));
        }
        return dir;
    }
}
