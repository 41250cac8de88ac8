package dev.mlm4j.server;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    /** A lone surrogate escape is refused, naming where it is (Jackson accepts it; the tokenizer would drop it silently). */
    @Test
    void aLoneSurrogateIsRefusedWithItsPlace() {
        assertEquals("the body is not valid JSON: `inputs` has a lone surrogate \\ud800 at character 4 (not a Unicode character)",
                refusal("{\"inputs\":\"abc\\ud800def\"}"));
        assertEquals("the body is not valid JSON: `inputs` has a lone surrogate \\ud800 at character 3 (not a Unicode character)",
                refusal("{\"inputs\":\"😀a\\ud800\"}"), "characters are counted as code points");
        assertTrue(refusal("{\"inputs\":{\"sentences\":[\"ok\",\"x\\udfff\"]}}").contains("`inputs.sentences[1]` has a lone surrogate \\udfff at character 2"));
        assertTrue(refusal("{\"inputs\":\"\\udfff\\ud83d\"}").contains("\\udfff at character 1"));  // a pair the wrong way round
        // a proper pair is one character, and passes
        Body.parse("{\"inputs\":\"a \\ud83d\\ude00 b\"}".getBytes(StandardCharsets.UTF_8));
        Body.parse("{\"inputs\":\"a 😀 b\"}".getBytes(StandardCharsets.UTF_8));
    }
}
