package dev.mlm4j.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each family's mask token (an added token, with lstrip on RoBERTa, XLM-R and ModernBERT) after white space of every
 * kind, at the ends, repeated: ids, token strings and offsets equal to tokenizers 0.23.2's
 * ({@code scripts/reference/families/added_tokens.py} wrote the golden). An lstrip token is the text it took
 * ({@code " <mask>"}) with those offsets, unless RoBERTa's ByteLevel post-processor trims them.
 */
class AddedTokenOffsetsTest {

    static final Path FAMILIES = Path.of("src/test/resources/families");

    @ParameterizedTest
    @ValueSource(strings = {"roberta-tiny", "xlm-roberta-tiny", "modernbert-tiny", "deberta-v3-tiny", "electra-tiny-bare",
            "distilbert-tiny"})
    void maskTokensAroundWhiteSpaceEqualTokenizers(String family) throws IOException {
        JsonNode cases = new ObjectMapper().readTree(FAMILIES.resolve("added-tokens.json").toFile()).get("cases").get(family);
        Tokenizer tokenizer;
        try (InputStream in = Files.newInputStream(FAMILIES.resolve(family).resolve("tokenizer.json"))) {
            tokenizer = TokenizerJson.load(in, family);
        }
        assertEquals(13, cases.size());
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            Encoding e = tokenizer.encode(text);
            String where = family + " " + Parity.quote(text) + " got " + Arrays.toString(e.tokens());
            assertArrayEquals(ints(c.get("ids")), e.ids(), where);
            String[] tokens = new String[c.get("tokens").size()];
            for (int i = 0; i < tokens.length; i++) tokens[i] = c.get("tokens").get(i).asText();
            assertArrayEquals(tokens, e.tokens(), where);
            for (int i = 0; i < tokens.length; i++) {
                JsonNode o = c.get("offsets").get(i);
                // the template's own tokens have no place in the text: tokenizers says (0, 0), mlm4j (-1, -1)
                String want = e.special()[i] && e.start()[i] < 0 ? "0,0" : e.start()[i] + "," + e.end()[i];
                assertEquals(o.get(0).asInt() + "," + o.get(1).asInt(), want,
                        where + " offsets of token " + i + " " + tokens[i]);
            }
        }
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }
}
