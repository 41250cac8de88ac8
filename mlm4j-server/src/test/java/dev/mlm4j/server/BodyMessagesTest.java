package dev.mlm4j.server;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Invalid JSON is answered with what is wrong with it, not with the names of Jackson's classes and settings. */
class BodyMessagesTest {

    static String refusal(String body) {
        return assertThrows(ApiError.class, () -> Body.parse(body.getBytes(StandardCharsets.UTF_8))).getMessage();
    }

    @Test
    void jacksonsJavaNamesAreLeftOut() {
        String trailing = refusal("{\"inputs\":\"a\"} {\"b\":1}");
        String deep = refusal("{\"a\":" + "[".repeat(40) + "]".repeat(40) + "}");
        String number = refusal("{\"a\":" + "1".repeat(2000) + "}");
        for (String m : new String[] {trailing, deep, number}) {
            assertTrue(m.startsWith("the body is not valid JSON: "), m);
            assertTrue(!m.contains("`") && !m.contains("com.fasterxml") && !m.contains("Constraints") && !m.contains("DeserializationFeature"), m);
        }
        assertTrue(trailing.toLowerCase().contains("trailing token"), trailing);
        assertTrue(deep.toLowerCase().contains("nesting depth"), deep);
        assertTrue(number.toLowerCase().contains("number"), number);
    }
}
