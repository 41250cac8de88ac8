package dev.mlm4j.tokens;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tokenizer.json components one by one. Expected values were printed by Hugging Face's tokenizers 0.23.2
 * (Python binding of the Rust library) for the same inputs, e.g. {@code Tokenizer.from_str(xlmr).normalizer
 * .normalize_str("ﬁ")} and {@code Tokenizer(models.Unigram([...], 0, True)).encode("éa")}.
 */
class TokenizerJsonComponentsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void precompiledCharsmapNormalizesAsSentencePieceNmtNfkc() throws IOException {
        String xlmr;
        try (InputStream in = JsonTokenizerFixtures.open("xlmr-unigram.tokenizer.json.gz")) {
            xlmr = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String map = JSON.readTree(xlmr).get("normalizer").get("precompiled_charsmap").asText();
        PrecompiledCharsmap charsmap = PrecompiledCharsmap.fromBase64(map);
        assertEquals("fi", charsmap.transform("ﬁ"));
        assertEquals("1", charsmap.transform("①"));
        assertNull(charsmap.transform("a"), "no rule for plain ASCII letters");
        Normalizer n = new Normalizers.Precompiled(charsmap);
        String[][] cases = {
                {"ﬁ", "fi"}, {"Ａｂｃ", "Abc"}, {"①", "1"}, {"e\u0301", "é"}, {"a\u200Bb", "a b"}, {"\uFF76\uFF9E", "\u30AB\u3099"},
                {"x\u00A0y", "x y"}, {"\t", " "}, {"㎏", "kg"}, {"Ⅷ", "VIII"}};
        for (String[] c : cases) {
            assertEquals(c[1], n.normalize(c[0]), "normalize " + c[0]);
        }
        // every output character keeps the range of the character it came from: Ⅷ → VIII all point at (0, 1)
        AlignedText out = new AlignedText(4);
        AlignedText in = AlignedText.of("Ⅷx");
        n.normalize(in, 0, in.length, out);
        assertEquals("VIIIx", out.toString());
        assertArrayEquals(new int[] {0, 0, 0, 0, 1}, Arrays.copyOf(out.start, out.length));
        assertArrayEquals(new int[] {1, 1, 1, 1, 2}, Arrays.copyOf(out.end, out.length));
        assertThrows(IllegalArgumentException.class, () -> new PrecompiledCharsmap(new byte[] {8, 0, 0, 0, 1}));
    }

    private static Tokenizer unigram() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode model = root.putObject("model");
        model.put("type", "Unigram").put("unk_id", 0).put("byte_fallback", true);
        ArrayNode vocab = model.putArray("vocab");
        Object[][] pieces = {{"<unk>", 0.0}, {"a", -1.0}, {"b", -1.0}, {"ab", -2.0}, {"<0xC3>", -5.0}, {"<0xA9>", -5.0}};
        for (Object[] p : pieces) {
            vocab.addArray().add((String) p[0]).add((Double) p[1]);
        }
        return load(root.toString());
    }

    private static Tokenizer load(String json) throws IOException {
        return TokenizerJson.load(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test");
    }

    @Test
    void viterbiKeepsTheFirstOfEqualPaths() throws IOException {
        Tokenizer t = unigram();
        // "ab" (−2) and "a" + "b" (−1 −1) tie: the path found first, the piece starting earliest, wins
        assertEquals(List.of("ab"), List.of(t.encode("ab").tokens()));
        Encoding e = t.encode("aab");
        assertEquals(List.of("a", "ab"), List.of(e.tokens()));
        assertArrayEquals(new int[] {0, 1}, e.start());
        assertArrayEquals(new int[] {1, 3}, e.end());
    }

    @Test
    void byteFallbackSpellsUnknownCharactersAsBytesElseOneFusedUnknown() throws IOException {
        Tokenizer t = unigram();
        Encoding e = t.encode("éa");
        assertArrayEquals(new int[] {4, 5, 1}, e.ids());
        assertArrayEquals(new int[] {0, 0, 1}, e.start());
        assertArrayEquals(new int[] {1, 1, 2}, e.end());
        Encoding z = t.encode("zz");  // no <0x7A> piece: one unknown token over both characters
        assertArrayEquals(new int[] {0}, z.ids());
        assertEquals("zz", z.tokens()[0]);
        assertArrayEquals(new int[] {2}, z.end());
    }

    @Test
    void maskTokenIsTheModelsOwnAndLstripTakesTheSpaceBeforeIt() {
        Tokenizer roberta = JsonTokenizerFixtures.tokenizer("roberta-bpe");
        assertEquals("<mask>", roberta.maskToken());
        Encoding e = roberta.encode("Paris is the <mask> of France.");
        int at = Arrays.stream(e.ids()).boxed().toList().indexOf(roberta.maskId());
        assertTrue(at > 0);
        assertEquals(" <mask>", e.tokens()[at], "the token is the text it matched, with the space lstrip took, as tokenizers shows it");
        assertEquals(13, e.start()[at], "RoBERTa's ByteLevel post-processor trims that space from the offsets");
        assertEquals(19, e.end()[at]);
        assertEquals("Ġof", e.tokens()[at + 1]);
        assertEquals("[MASK]", JsonTokenizerFixtures.tokenizer("deberta-unigram").maskToken());
        assertEquals("<mask>", JsonTokenizerFixtures.tokenizer("xlmr-unigram").maskToken());
        assertEquals("[MASK]", TestData.tokenizer(TestData.UNCASED, true).maskToken());
        assertEquals(0, roberta.clsId());
        assertEquals(2, roberta.sepId());
        assertEquals(1, roberta.padId());
    }

    @Test
    void decodersGiveBackTheText() {
        Tokenizer roberta = JsonTokenizerFixtures.tokenizer("roberta-bpe");
        String text = "Größe, 北京 and emoji 😀 stay";
        assertEquals(text, roberta.decode(roberta.encode(text).ids(), true));
        Tokenizer xlmr = JsonTokenizerFixtures.tokenizer("xlmr-unigram");
        assertEquals("Hello world.", xlmr.decode(xlmr.encode("Hello world.").ids(), true));
    }

    @Test
    void bpeMergesReadTheSameAsStringsOrPairs() throws IOException {
        String json;
        try (InputStream in = JsonTokenizerFixtures.open("roberta-bpe.tokenizer.json.gz")) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        ObjectNode root = (ObjectNode) JSON.readTree(json);
        ArrayNode merges = (ArrayNode) root.get("model").get("merges");
        ArrayNode strings = JSON.createArrayNode();
        merges.forEach(m -> strings.add(m.get(0).asText() + " " + m.get(1).asText()));
        ((ObjectNode) root.get("model")).set("merges", strings);
        Tokenizer pairs = JsonTokenizerFixtures.tokenizer("roberta-bpe");
        Tokenizer old = load(root.toString());
        for (String s : TestData.brown().subList(0, 200)) {
            assertArrayEquals(pairs.encode(s).ids(), old.encode(s).ids(), s);
        }
    }

    /** A WordPiece file the BERT fast path does not take (here: a one-step Sequence pre-tokenizer) tokenizes the same. */
    @Test
    void wordPieceThroughTheGenericPipelineEqualsTheBertPath() throws IOException {
        String minilm = java.nio.file.Files.readString(TestData.path(TestData.MINILM_JSON));
        ObjectNode root = (ObjectNode) JSON.readTree(minilm);
        ObjectNode seq = JSON.createObjectNode().put("type", "Sequence");
        seq.putArray("pretokenizers").add(root.get("pre_tokenizer"));
        root.set("pre_tokenizer", seq);
        Tokenizer generic = load(root.toString());
        assertTrue(generic instanceof PipelineTokenizer, generic.toString());
        Tokenizer bert = load(minilm);
        assertTrue(bert instanceof WordPieceTokenizer);
        List<String> inputs = new java.util.ArrayList<>(TestData.brown().subList(0, 1000));
        inputs.addAll(TestData.multilingual());
        for (String s : inputs) {
            Encoding a = bert.encode(s, 100_000, false);
            Encoding b = generic.encode(s, 100_000, false);
            assertArrayEquals(a.ids(), b.ids(), s);
            assertArrayEquals(a.start(), b.start(), s);
            assertArrayEquals(a.end(), b.end(), s);
        }
        int[] ids = bert.encode("Hello world, it's a [MASK] test.").ids();
        assertEquals(bert.decode(ids, true), generic.decode(ids, true));
        assertEquals("[MASK]", generic.maskToken());
    }

    /**
     * Split and Replace regexes run with Oniguruma's \w in Hugging Face, where ¹ ² ³ ¼ ½ ¾ are word characters and
     * ZWJ/ZWNJ are not (Java's \w says the opposite): ids, offsets and words equal the Rust library's
     * (tokenizers/onig-word-class.json, from scripts/reference/tokenizers/onig_word_class.py).
     */
    @Test
    void splitAndReplaceRegexesReadWordCharactersAsOniguruma() throws IOException {
        com.fasterxml.jackson.databind.JsonNode fixture;
        try (InputStream in = TestData.openResource("tokenizers/onig-word-class.json")) {
            fixture = new ObjectMapper().readTree(in);
        }
        Tokenizer t = TokenizerJson.load(new ByteArrayInputStream(
                fixture.get("tokenizer").toString().getBytes(StandardCharsets.UTF_8)), "onig-word-class");
        for (com.fasterxml.jackson.databind.JsonNode c : fixture.get("cases")) {
            String text = c.get("text").asText();
            Encoding e = t.encode(text, Integer.MAX_VALUE, false);
            assertArrayEquals(dev.mlm4j.JsonArrays.ints(c.get("ids")), e.ids(), text);
            assertArrayEquals(dev.mlm4j.JsonArrays.ints(c.get("start")), e.start(), text);
            assertArrayEquals(dev.mlm4j.JsonArrays.ints(c.get("end")), e.end(), text);
            assertArrayEquals(dev.mlm4j.JsonArrays.ints(c.get("words")), t.wordIds(text), text);
        }
    }

    @Test
    void anUnsupportedComponentIsNamedInOneLine() {
        String[][] cases = {
                {"{\"normalizer\":{\"type\":\"Nmt\"},\"model\":{\"type\":\"BPE\",\"vocab\":{},\"merges\":[]}}", "normalizer 'Nmt'"},
                {"{\"pre_tokenizer\":{\"type\":\"Digits\"},\"model\":{\"type\":\"BPE\",\"vocab\":{},\"merges\":[]}}", "pre_tokenizer 'Digits'"},
                {"{\"model\":{\"type\":\"WordLevel\",\"vocab\":{}}}", "model 'WordLevel'"},
                {"{\"decoder\":{\"type\":\"CTC\"},\"model\":{\"type\":\"BPE\",\"vocab\":{},\"merges\":[]}}", "decoder 'CTC'"},
                {"{\"model\":{\"type\":\"BPE\",\"dropout\":0.1,\"vocab\":{},\"merges\":[]}}", "dropout"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load(c[0]));
            assertTrue(e.getMessage().contains(c[1]) && !e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
