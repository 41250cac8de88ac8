package dev.mlm4j.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The card file, read and written with jackson-core's streaming parser and generator: the bytes are those Jackson's record binding wrote before
 * (every folder unpacked so far has such a card, and a card that differs is rewritten), and a bad card is refused in
 * one line naming the file.
 */
class ModelCardTest {
    @TempDir Path tmp;

    static final List<ModelCard> CARDS = List.of(
            ModelCard.fillMask("bert-base-uncased", ModelCard.Format.TENSORFLOW, "org.example:bert:1", 512),
            ModelCard.embeddings("all-MiniLM-L6-v2", ModelCard.Format.ONNX, "dev.example:minilm:1.0", ModelCard.Pooling.MEAN, true, 256),
            ModelCard.embeddings("bge", ModelCard.Format.SAFETENSORS, null, ModelCard.Pooling.CLS, false, 512).withPrefixes("query: ", "passage: "));

    @Test
    void bytesAreThoseOfJacksonsRecordBindingAndReadBack() throws IOException {
        ObjectMapper binding = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        for (ModelCard card : CARDS) {
            assertArrayEquals(binding.writeValueAsBytes(card), card.bytes(), card.name());
            Path dir = Files.createDirectories(tmp.resolve(card.name()));
            card.write(dir);
            assertEquals(card, ModelCard.read(dir).orElseThrow());
        }
    }

    @Test
    void unknownFieldsAreIgnoredAndAbsentOptionalOnesAreNull() throws IOException {
        Files.writeString(tmp.resolve(ModelCard.FILE_NAME), "{\"name\":\"m\",\"task\":\"fill-mask\",\"format\":\"onnx\",\"maxLength\":128,\"future\":[1,2]}");
        assertEquals(ModelCard.fillMask("m", ModelCard.Format.ONNX, null, 128), ModelCard.read(tmp).orElseThrow());
    }

    @Test
    void badCardsAreRefusedNamingTheFile() throws IOException {
        String[] bad = {
                "[1, 2]",
                "{\"name\":\"m\",\"task\":\"summarize\",\"format\":\"onnx\",\"maxLength\":128}",
                "{\"name\":\"m\",\"task\":\"fill-mask\",\"format\":\"onnx\"}",
                "{\"task\":\"fill-mask\",\"format\":\"onnx\",\"maxLength\":128}",
                "{\"name\":\"m\",\"task\":\"embeddings\",\"format\":\"onnx\",\"maxLength\":128}",
                "{\"name\":\"m\",\"task\":\"fill-mask\",\"format\":\"onnx\",\"maxLength\":\"long\"}",
                "{\"name\":7,\"task\":\"fill-mask\",\"format\":\"onnx\",\"maxLength\":128}",
                "{\"name\":\"m\",\"task\":\"fill-mask\",\"format\":\"onnx\",\"maxLength\":12",
        };
        Path file = tmp.resolve(ModelCard.FILE_NAME);
        for (String text : bad) {
            Files.writeString(file, text);
            IOException e = assertThrows(IOException.class, () -> ModelCard.read(tmp), text);
            assertTrue(e.getMessage().startsWith("unreadable " + file + ": "), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }
}
