package dev.mlm4j.util;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The streaming reader of small JSON objects, against what databind's tree (the reader it replaces) sees in the same file. */
class JsonScalarsTest {
    @TempDir Path tmp;

    @Test
    void scalarsAsDatabindsTreeSeesThem() throws IOException {
        String json = "\uFEFF{\"name\": \"m\\u00e9\", \"lower\": true, \"off\": false, \"n\": 512, \"x\": 2.5, \"big\": 12345678901234,"
                + " \"gone\": null, \"list\": [1, {\"deep\": [2]}], \"obj\": {\"a\": {}}, \"name\": \"again\"}";
        Path file = tmp.resolve("a.json");
        Files.writeString(file, json, StandardCharsets.UTF_8);
        Map<String, Object> f = JsonScalars.read(file);
        JsonNode tree = new ObjectMapper().readTree(file.toFile());
        assertEquals(tree.get("name").textValue(), f.get("name"), "a repeated field keeps its last value, as the tree does");
        assertEquals("again", f.get("name"));
        assertEquals(Boolean.TRUE, f.get("lower"));
        assertEquals(Boolean.FALSE, f.get("off"));
        assertEquals(512, ((Number) f.get("n")).intValue());
        assertEquals(2.5, ((Number) f.get("x")).doubleValue());
        assertEquals(tree.get("big").longValue(), ((Number) f.get("big")).longValue());
        assertFalse(f.containsKey("gone"), "null is absent");
        assertSame(JsonScalars.NESTED, f.get("list"));
        assertSame(JsonScalars.NESTED, f.get("obj"));
        assertEquals(8, f.size());
    }

    @Test
    void notAnObjectOrNotJsonIsRefused() throws IOException {
        Path file = tmp.resolve("b.json");
        for (String notObject : new String[] {"[1, 2]", "\"text\"", "7", ""}) {
            Files.writeString(file, notObject);
            assertThrows(IllegalArgumentException.class, () -> JsonScalars.read(file), notObject);
        }
        for (String broken : new String[] {"{\"a\": 1", "{\"a\" 1}", "{\"a\": tru}"}) {
            Files.writeString(file, broken);
            assertThrows(JsonProcessingException.class, () -> JsonScalars.read(file), broken);
        }
    }
}
