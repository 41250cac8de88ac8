package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.config.Batch;
import dev.mlm4j.convert.Converter;
import dev.mlm4j.weights.safetensors.SafetensorsCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code convert} for the families other than BERT, on the committed tiny fixtures under families/ (written by
 * transformers through scripts/reference/families/encoders.py and the DeBERTa/ModernBERT scripts beside it): the output is a
 * Hugging Face folder with the input's config.json and safetensors (same model_type, same key names, same bytes), its
 * tokenizer files, and mlm4j loading it computes what it computes on the input to the last bit — and what transformers
 * computed (expected.json: last hidden state within 1e-4, attentions within 1e-5, MLM top-5 equal, logits within 1e-4).
 * Lives in dev.mlm4j.model for {@link FamilyGolden}'s comparisons.
 */
class ConverterFamiliesTest {
    @TempDir Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"roberta", "xlm-roberta", "electra", "distilbert", "deberta-v2", "deberta-v3", "modernbert"})
    void convertedFolderIsTheSameModelUnderTransformersNames(String name) throws IOException {
        Path source = FamilyGolden.folder(name + "-tiny");
        Path out = tmp.resolve(name);
        Converter.Result r = Converter.convert(source, out, false);
        JsonNode in = FamilyGolden.readJson(source.resolve("config.json")), written = FamilyGolden.readJson(out.resolve("config.json"));
        assertEquals(in, written, "config.json as transformers wrote it");
        assertEquals(in.get("architectures").get(0).asText(), r.architecture());
        assertEquals(-1L, Files.mismatch(source.resolve("model.safetensors"), out.resolve("model.safetensors")), "the same tensors, names and bytes");
        for (String f : List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt")) {
            if (Files.exists(source.resolve(f))) assertEquals(-1L, Files.mismatch(source.resolve(f), out.resolve(f)), f);
        }
        assertFalse(Files.exists(out.resolve("expected.json")), "only model files are written");
        try (SafetensorsCheckpoint a = SafetensorsCheckpoint.open(source); SafetensorsCheckpoint b = SafetensorsCheckpoint.open(out)) {
            assertEquals(a.names(), b.names());
            assertEquals(a.names().size(), r.tensors());
        }

        List<JsonNode> sentences = FamilyGolden.list(FamilyGolden.expected(name + "-tiny").get("sentences"));
        try (Checkpoint original = Checkpoint.open(source); Checkpoint converted = Checkpoint.open(out)) {
            assertEquals(original.family().modelType(), converted.family().modelType());
            assertEquals(original.tokenizer().maskId(), converted.tokenizer().maskId());
            MaskedLanguageModel before = original.load(Task.MASKED_LM).orElseThrow(), after = converted.load(Task.MASKED_LM).orElseThrow();
            FamilyGolden.checkEncoderAndMlm(after, sentences);   // transformers' numbers
            Batch batch = FamilyGolden.batch(sentences);
            EncoderOutput x = before.encoder().forward(batch, ForwardOptions.DEFAULT), y = after.encoder().forward(batch, ForwardOptions.DEFAULT);
            for (int b = 0; b < sentences.size(); b++) {
                assertArrayEquals(x.sequence(b).toArray(), y.sequence(b).toArray(), name + " sentence " + b + ": bit-identical hidden state");
            }
        }
    }

    @Test
    void aTaskFolderKeepsItsArchitectureAndLabels() throws IOException {
        Path source = FamilyGolden.folder("roberta-tiny-sequence-classification");
        Converter.Result r = Converter.convert(source, tmp.resolve("cls"), false);
        assertEquals("RobertaForSequenceClassification", r.architecture());
        assertEquals(FamilyGolden.readJson(source.resolve("config.json")), FamilyGolden.readJson(tmp.resolve("cls/config.json")));
        assertEquals(-1L, Files.mismatch(source.resolve("model.safetensors"), tmp.resolve("cls/model.safetensors")));
    }

    @Test
    void unsupportedThingsAreOneLineErrorsAndWriteNothing() throws IOException {
        Path gpt = Files.createDirectories(tmp.resolve("gpt2"));
        Files.writeString(gpt.resolve("config.json"), "{\"model_type\": \"gpt2\", \"architectures\": [\"GPT2LMHeadModel\"]}");
        String message = assertThrows(IllegalArgumentException.class, () -> Converter.convert(gpt, tmp.resolve("out"), false)).getMessage();
        assertEquals(1, message.lines().count(), message);
        assertEquals(true, message.contains("\"model_type\": \"gpt2\" is not supported"), message);
        assertFalse(Files.exists(tmp.resolve("out")));
    }
}
