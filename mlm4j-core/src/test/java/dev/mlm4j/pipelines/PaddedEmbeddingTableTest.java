package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.safetensors.SafetensorsCheckpoint;
import dev.mlm4j.weights.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A word-embedding table with more rows than the tokenizer has tokens, as deberta-v3-base ships it (128,100 rows for
 * 128,001 tokens) and as tables padded to a multiple of 8 or 64 are: the folder loads, as in transformers, and fill-mask
 * ranks only the ids the tokenizer can name — here the padding rows are given a bias that would put every one of them
 * first — while its scores stay a softmax over the whole table, as transformers' are.
 */
class PaddedEmbeddingTableTest {
    @TempDir Path tmp;

    @Test
    void aTablePaddedPastTheTokenizerLoadsAndFillMaskNamesOnlyRealTokens() throws IOException {
        Path tiny = Path.of("src/test/resources/families/deberta-v3-tiny");
        Path padded = tmp.resolve("deberta-v3-padded");
        Files.createDirectories(padded);
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) Files.copy(tiny.resolve(f), padded.resolve(f));
        int rows = 640;   // 601 tokens, the table padded to a multiple of 64
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(tiny.resolve("config.json").toFile());
        assertEquals(601, config.get("vocab_size").asInt());
        config.put("vocab_size", rows);
        json.writeValue(padded.resolve("config.json").toFile(), config);
        Map<String, FloatTensor> tensors = new TreeMap<>();
        int paddedTensors = 0;
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(tiny.resolve("model.safetensors"))) {
            for (String name : c.names()) {
                FloatTensor t = c.load(name);
                if (t.dim(0) == 601 && (t.rank() == 1 || name.endsWith("word_embeddings.weight"))) {
                    int cols = t.rank() == 1 ? 1 : t.dim(1);
                    FloatTensor p = t.rank() == 1 ? FloatTensor.zeros(rows) : FloatTensor.zeros(rows, cols);
                    System.arraycopy(t.data(), 0, p.data(), 0, t.size());
                    if (t.rank() == 1) java.util.Arrays.fill(p.data(), 601, rows, 100f);   // the MLM bias: padding rows first by far
                    t = p;
                    paddedTensors++;
                }
                tensors.put(name, t);
            }
        }
        assertEquals(2, paddedTensors, "the word embeddings and the MLM head's bias");
        SafetensorsWriter.write(padded.resolve("model.safetensors"), tensors, Map.of());

        String text = "The capital of France is [MASK].";
        List<FillMask.Prediction> original = Models.fillMask(tiny.toString()).fill(text, FillMask.Options.DEFAULT).getFirst().predictions();
        List<FillMask.Prediction> got = Models.fillMask(padded.toString()).fill(text, FillMask.Options.DEFAULT).getFirst().predictions();
        assertEquals(original.stream().map(FillMask.Prediction::token).toList(), got.stream().map(FillMask.Prediction::token).toList());
        assertEquals(original.stream().map(FillMask.Prediction::tokenStr).toList(), got.stream().map(FillMask.Prediction::tokenStr).toList());
        for (int i = 0; i < got.size(); i++) {
            assertTrue(got.get(i).token() < 601, "a padding row was named: " + got.get(i));
            assertTrue(got.get(i).score() < original.get(i).score() * 1e-6, "the padding rows take the softmax's mass, as in transformers: " + got.get(i));
        }
    }
}
