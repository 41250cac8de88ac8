package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code embed --int8}: the same records as fp32, vectors that really come from int8 weights (not fp32's bits) yet stay
 * within the README's cosine 0.996 of fp32's for all-MiniLM-L6-v2, still unit length, and still ranking a paraphrase
 * above an unrelated sentence.
 */
class EmbedInt8Test {
    static final String[] TEXTS = {"A man is playing a guitar.", "Someone plays an instrument.", "The stock market fell sharply today."};

    static double cosine(JsonNode a, JsonNode b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.size(); i++) {
            double x = a.get(i).asDouble(), y = b.get(i).asDouble();
            ab += x * y;
            aa += x * x;
            bb += y * y;
        }
        return ab / Math.sqrt(aa * bb);
    }

    @Test
    void int8VectorsAreQuantisedAndCloseToFp32() throws IOException {
        var fp32 = CliRunner.run(concat("embed"));
        var int8 = CliRunner.run(concat("embed", "--int8"));
        assertEquals(0, fp32.exit(), fp32.err());
        assertEquals(0, int8.exit(), int8.err());
        List<JsonNode> a = EmbedCommandTest.jsonLines(fp32.out()), b = EmbedCommandTest.jsonLines(int8.out());
        assertEquals(TEXTS.length, b.size());
        boolean anyDifferent = false;
        for (int i = 0; i < TEXTS.length; i++) {
            assertEquals(i, b.get(i).get("index").asInt());
            assertEquals(TEXTS[i], b.get(i).get("text").asText());
            JsonNode u = a.get(i).get("embedding"), v = b.get(i).get("embedding");
            assertEquals(384, v.size());
            assertEquals(1.0, EmbedCommandTest.norm(v), 1e-5, "normalised as all-MiniLM-L6-v2's card says");
            double c = cosine(u, v);
            assertTrue(c >= 0.996, "text " + i + ": cosine(fp32, int8) " + c);
            anyDifferent |= c < 1 - 1e-7;
        }
        assertTrue(anyDifferent, "--int8 must change the vectors (int8 weights, not fp32's)");
        JsonNode g = b.get(0).get("embedding"), p = b.get(1).get("embedding"), s = b.get(2).get("embedding");
        assertTrue(cosine(g, p) > cosine(g, s) + 0.2, "the paraphrase ranks above the unrelated sentence");
    }

    private static String[] concat(String... head) {
        String[] all = new String[head.length + TEXTS.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(TEXTS, 0, all, head.length, TEXTS.length);
        return all;
    }
}
