package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlm4j.convert.Converter;
import dev.mlm4j.model.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sentence-transformers folder as the hub has it (no mlm4j-model.json) embeds as sentence-transformers does: pooling
 * from 1_Pooling, normalisation from a Normalize module, the working length from sentence_bert_config.json. Expected
 * vectors: sentence-transformers 6.0.1 on the same folders (scripts/reference/embeddings/st_folders.py, which makes the
 * variants by the recipe {@link #variant} repeats), in src/test/resources/embeddings/st-folders.json.
 */
class SentenceTransformersFolderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path tmp;
    static Path bge, miniLm;
    static JsonNode expected;

    @BeforeAll
    static void convert() throws IOException {
        bge = tmp.resolve("bge");
        miniLm = tmp.resolve("minilm");
        Converter.convert(TestModels.folder("bge-small-en-v1.5"), bge, false);
        Converter.convert(TestModels.folder("all-MiniLM-L6-v2"), miniLm, false);
        expected = JSON.readTree(SentenceTransformersFolderTest.class.getResource("/embeddings/st-folders.json"));
    }

    /** The folder {@code src} without mlm4j's card, pooling by {@code pooling}, with or without its Normalize module. */
    static Path variant(Path src, String name, String pooling, boolean normalize) throws IOException {
        Path dst = tmp.resolve(name);
        try (var files = Files.walk(src)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path t = dst.resolve(src.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(t);
                else if (!f.getFileName().toString().equals("mlm4j-model.json")) Files.createSymbolicLink(t, f);
            }
        }
        Path poolingFile = dst.resolve("1_Pooling/config.json");
        ObjectNode cfg = (ObjectNode) JSON.readTree(poolingFile.toFile());
        cfg.put("pooling_mode_cls_token", pooling.equals("cls")).put("pooling_mode_mean_tokens", pooling.equals("mean"));
        Files.delete(poolingFile);
        JSON.writeValue(poolingFile.toFile(), cfg);
        ArrayNode modules = JSON.createArrayNode();
        for (JsonNode m : JSON.readTree(dst.resolve("modules.json").toFile())) if (normalize || !m.get("type").asText().endsWith("Normalize")) modules.add(m);
        Files.delete(dst.resolve("modules.json"));
        JSON.writeValue(dst.resolve("modules.json").toFile(), modules);
        return dst;
    }

    @Test
    void vectorsAreSentenceTransformers() throws IOException {
        Map<String, Path> folders = Map.of("bge-cls-normalized", variant(bge, "bge-hub", "cls", true),
                "minilm-cls-raw", variant(miniLm, "minilm-cls-raw", "cls", false),
                "minilm-mean-normalized", variant(miniLm, "minilm-mean", "mean", true));
        List<String> texts = JSON.convertValue(expected.get("texts"), JSON.getTypeFactory().constructCollectionType(List.class, String.class));
        for (var e : folders.entrySet()) {
            JsonNode c = expected.get("cases").get(e.getKey());
            FeatureExtraction fe = Models.embeddings(e.getValue().toString());
            assertEquals(c.get("max_seq_length").asInt(), fe.maxLength(), e.getKey() + ": working length");
            List<float[]> got = fe.embed(texts);
            for (int t = 0; t < texts.size(); t++) {
                JsonNode want = c.get("vectors").get(t);
                for (int i = 0; i < want.size(); i++) assertEquals(want.get(i).asDouble(), got.get(t)[i], 2e-5, e.getKey() + " text " + t + " [" + i + "]");
            }
        }
    }

    @Test
    void convertingSuchAFolderKeepsWhatItSays() throws IOException {
        Path hub = variant(miniLm, "minilm-cls-raw-2", "cls", false), out = tmp.resolve("converted");
        Converter.convert(hub, out, false);
        JsonNode card = JSON.readTree(out.resolve("mlm4j-model.json").toFile());
        assertEquals("cls", card.get("pooling").asText());
        assertEquals(false, card.get("normalize").asBoolean());
        assertEquals(256, card.get("maxLength").asInt());
        JsonNode want = expected.get("cases").get("minilm-cls-raw").get("vectors").get(0);
        float[] got = Models.embeddings(out.toString()).embed(expected.get("texts").get(0).asText());
        for (int i = 0; i < want.size(); i++) assertEquals(want.get(i).asDouble(), got[i], 2e-5, "[" + i + "]");
    }

    @Test
    void whatMlm4jDoesNotRunIsRefusedNotEmbeddedAnotherWay() throws IOException {
        Path dense = variant(miniLm, "dense", "mean", true);
        ArrayNode modules = (ArrayNode) JSON.readTree(dense.resolve("modules.json").toFile());
        modules.add(JSON.createObjectNode().put("idx", 3).put("name", "3").put("path", "3_Dense").put("type", "sentence_transformers.models.Dense"));
        Files.delete(dense.resolve("modules.json"));
        JSON.writeValue(dense.resolve("modules.json").toFile(), modules);
        String m = assertThrows(IllegalArgumentException.class, () -> Models.embeddings(dense.toString())).getMessage();
        assertTrue(m.contains("sentence_transformers.models.Dense") && m.contains("modules.json"), m);

        Path max = variant(miniLm, "max", "max", true);
        ObjectNode cfg = (ObjectNode) JSON.readTree(max.resolve("1_Pooling/config.json").toFile());
        cfg.put("pooling_mode_max_tokens", true);
        Files.delete(max.resolve("1_Pooling/config.json"));
        JSON.writeValue(max.resolve("1_Pooling/config.json").toFile(), cfg);
        m = assertThrows(IllegalArgumentException.class, () -> Models.embeddings(max.toString())).getMessage();
        assertTrue(m.contains("pools by max_tokens"), m);
    }
}
