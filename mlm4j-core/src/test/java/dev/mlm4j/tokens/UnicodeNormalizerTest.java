package dev.mlm4j.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.mlm4j.JsonArrays.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The NFC, NFKC, NFD and NFKD normalizers equal Hugging Face's on texts that stress canonical reordering and
 * composition: the normalized text and every character's range in the original
 * (tokenizers/unicode-normalizers.jsonl.gz, from scripts/reference/tokenizers/unicode_normalizers.py, tokenizers 0.23.2).
 */
class UnicodeNormalizerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void normalizedTextAndAlignmentsEqualTheRustLibrary() throws IOException {
        List<String> mismatches = new ArrayList<>();
        int rows = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                TestData.openResource("tokenizers/unicode-normalizers.jsonl.gz"), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; rows++) {
                JsonNode row = JSON.readTree(line);
                String text = row.get("text").asText();
                Normalizer n = new Normalizers.Unicode(java.text.Normalizer.Form.valueOf(row.get("form").asText()));
                AlignedText out = new AlignedText(8);
                n.normalize(AlignedText.of(text), 0, AlignedText.of(text).length, out);
                String got = out.toString() + " " + Arrays.toString(Arrays.copyOf(out.start, out.length))
                        + Arrays.toString(Arrays.copyOf(out.end, out.length));
                String want = row.get("normalized").asText() + " " + Arrays.toString(ints(row.get("start")))
                        + Arrays.toString(ints(row.get("end")));
                if (!got.equals(want)) {
                    mismatches.add(row.get("form").asText() + " " + text.codePoints().mapToObj(Integer::toHexString).toList()
                            + "\n  want " + want + "\n  got  " + got);
                }
            }
        }
        assertEquals(1648, rows);
        assertEquals(List.of(), mismatches.subList(0, Math.min(5, mismatches.size())), mismatches.size() + " of " + rows + " differ");
    }

    /**
     * Through a whole tokenizer: XLM-R's NFKC (families/xlm-roberta-tiny, as transformers 5 converts SentencePiece)
     * gives "a" U+0327 U+0301 U+0323 the ids and offsets of Hugging Face's {@code Tokenizer.encode}: "▁" and one
     * unknown piece "ạ̧́" over the whole text. Splitting it after "a" (whose cedilla composes with nothing) left the
     * dot below uncomposed: "▁a" and another unknown piece.
     */
    @Test
    void aMarkComposesPastAnotherOfLowerClass() throws IOException, URISyntaxException {
        Path json = Path.of(UnicodeNormalizerTest.class.getResource("/families/xlm-roberta-tiny/tokenizer.json").toURI());
        Encoding e = Tokenizer.fromTokenizerJson(json).encode("a\u0327\u0301\u0323");
        assertArrayEquals(new int[] {0, 5, 3, 2}, e.ids());
        assertArrayEquals(new int[] {-1, 0, 0, -1}, e.start());
        assertArrayEquals(new int[] {-1, 1, 4, -1}, e.end());
    }
}
