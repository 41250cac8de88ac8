package dev.mlm4j.tokens;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour of the tokenizer on hand-picked inputs (parity on corpora is in {@link HuggingFaceParityTest}). */
class WordPieceTokenizerTest {

    private static final WordPieceTokenizer UNCASED = TestData.tokenizer(TestData.UNCASED, true);
    private static final WordPieceTokenizer CASED = TestData.tokenizer(TestData.CASED, false);
    private static final WordPieceTokenizer MULTI = TestData.tokenizer(TestData.MULTILINGUAL_CASED, false);

    @Test
    void modelCardSentenceGivesHuggingFaceIds() throws IOException {
        int[] expected = {101, 7592, 1045, 1005, 1049, 1037, 103, 2944, 1012, 102};  // FACTS.md, from HF
        assertArrayEquals(expected, UNCASED.encode("Hello I'm a [MASK] model.", 512, false).ids());
        WordPieceTokenizer minilm = WordPieceTokenizer.fromTokenizerJson(TestData.path(TestData.MINILM_JSON));
        assertArrayEquals(expected, minilm.encode("Hello I'm a [MASK] model.").ids());
    }

    @Test
    void encodingFieldsOfOneText() {
        Encoding e = UNCASED.encode("Hello, World!", 512, false);
        assertEquals(List.of("[CLS]", "hello", ",", "world", "!", "[SEP]"), Arrays.asList(e.tokens()));
        assertArrayEquals(new int[] {-1, 0, 5, 7, 12, -1}, e.start());
        assertArrayEquals(new int[] {-1, 5, 6, 12, 13, -1}, e.end());
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0}, e.typeIds());
        assertArrayEquals(new int[] {-1, 0, 0, 0, 0, -1}, e.sequenceIds());
        assertArrayEquals(new boolean[] {true, false, false, false, false, true}, e.special());
        assertFalse(e.truncated());
    }

    @Test
    void casedKeepsCaseAndAccentsUncasedStripsThem() {
        String text = "O cão está em Lisboa.";
        List<String> cased = MULTI.tokenize(text);
        assertEquals(text.replace(" ", ""), String.join("", cased).replace("##", ""), cased.toString());
        assertTrue(cased.contains("Lisboa"), cased.toString());
        assertEquals("O cão está em Lisboa.", MULTI.decode(MULTI.encode(text).ids(), true));
        assertEquals(List.of("cafe", "naive", "resume"), UNCASED.tokenize("Café NAÏVE résumé"));
        assertTrue(UNCASED.lowerCase());
        assertFalse(CASED.lowerCase());
    }

    @Test
    void offsetsPointIntoTheOriginalTextWhateverNormalizationDid() {
        // İ lower-cases to two code points, ß stays, é arrives decomposed, 𝔘 is a surrogate pair
        String text = "İstanbul Caf\u0065\u0301 𝔘x 東京!";
        Encoding e = UNCASED.encode(text, 512, false);
        for (int i = 0; i < e.length(); i++) {
            if (!e.special()[i] && !e.tokens()[i].equals("[UNK]")) {
                String covered = text.substring(e.start()[i], e.end()[i]);
                assertFalse(covered.isEmpty(), e.tokens()[i]);
            }
        }
        assertEquals("İstanbul", text.substring(e.start()[1], e.end()[1]));
        assertEquals("istanbul", e.tokens()[1]);
        int cafe = Arrays.asList(e.tokens()).indexOf("cafe");
        assertEquals("Cafe", text.substring(e.start()[cafe], e.end()[cafe]));  // the dropped accent is not covered
        int tokyo = Arrays.asList(e.tokens()).indexOf("東");
        assertEquals("東", text.substring(e.start()[tokyo], e.end()[tokyo]));
        assertEquals("京", text.substring(e.start()[tokyo + 1], e.end()[tokyo + 1]));
        int unk = Arrays.asList(e.tokens()).indexOf("[UNK]");
        assertEquals("𝔘x", text.substring(e.start()[unk], e.end()[unk]));  // whole word, both surrogates
    }

    @Test
    void cleaningDropsControlCharactersAndMapsWhitespace() {
        assertEquals(List.of("ab", "c", "d"), UNCASED.tokenize("a\u0000b\uFFFD\u200B c\u00A0\u3000d"));
        assertEquals(List.of(), UNCASED.tokenize("\u0000\u0007\uFFFD \t\n"));
        // a lone surrogate (category Cs) is dropped like a control character, as Google's/transformers' Python
        // BertTokenizer does; Hugging Face's Rust tokenizer cannot even receive one
        assertEquals(List.of("ab"), UNCASED.tokenize("a\uD800b"));
        assertEquals(List.of("[CLS]", "[SEP]"), Arrays.asList(UNCASED.encode("", 512, false).tokens()));
    }

    @Test
    void punctuationIsSplitAndCjkIdeographsStandAlone() {
        assertEquals(List.of("don", "'", "t", "-", "stop", "!", "!"), UNCASED.tokenize("don't-stop!!"));
        assertEquals(List.of("我", "爱", "北", "京"), MULTI.tokenize("我爱北京"));
        assertEquals(List.of("ひ", "##ら", "##が", "##な"), MULTI.tokenize("ひらがな"));  // kana is not split
    }

    @Test
    void literalSpecialTokensMapToTheirIdsAndAreNeverSplitOrLowerCased() {
        Encoding e = UNCASED.encode("a[MASK]b [SEP] [CLS][PAD] [UNK]", 512, false);
        assertEquals(List.of("[CLS]", "a", "[MASK]", "b", "[SEP]", "[CLS]", "[PAD]", "[UNK]", "[SEP]"),
                Arrays.asList(e.tokens()));
        assertEquals(UNCASED.maskId(), e.ids()[2]);
        assertEquals(1, e.start()[2]);
        assertEquals(7, e.end()[2]);
        assertFalse(e.special()[2], "a [MASK] the user wrote is not a special token the tokenizer added");
        assertEquals(List.of("[", "mask", "]"), UNCASED.tokenize("[mask]"));
        assertEquals(List.of("[", "masked", "]"), UNCASED.tokenize("[MASKED]"));
    }

    @Test
    void wordsOverOneHundredCharactersBecomeUnknown() {
        String hundred = "a".repeat(100);
        assertFalse(UNCASED.tokenize(hundred).contains("[UNK]"));
        Encoding e = UNCASED.encode("x " + hundred + "a y", 512, false);
        assertEquals(List.of("[CLS]", "x", "[UNK]", "y", "[SEP]"), Arrays.asList(e.tokens()));
        assertEquals(2, e.start()[2]);
        assertEquals(103, e.end()[2]);
        // the limit counts code points after normalization: 60 × (e + U+0301) is 60 letters once accents go
        assertFalse(UNCASED.tokenize("e\u0301".repeat(60)).contains("[UNK]"));
        assertEquals(List.of("[UNK]"), CASED.tokenize("e\u0301".repeat(60)));
    }

    @Test
    void truncationOrAClearError() {
        String text = "one two three four five six seven eight nine ten eleven twelve";
        Encoding cut = UNCASED.encode(text, 6, true);
        assertEquals(List.of("[CLS]", "one", "two", "three", "four", "[SEP]"), Arrays.asList(cut.tokens()));
        assertTrue(cut.truncated());
        assertEquals(14, UNCASED.encode(text, 14, false).length());
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> UNCASED.encode(text, 10, false));
        assertTrue(tooLong.getMessage().contains("14 tokens") && tooLong.getMessage().contains("maximum of 10"),
                tooLong.getMessage());
        IllegalArgumentException noRoom = assertThrows(IllegalArgumentException.class,
                () -> UNCASED.encode(text, 1, true));
        assertTrue(noRoom.getMessage().contains("special tokens"), noRoom.getMessage());
        assertEquals(2, UNCASED.encode(text, 2, true).length());
        assertEquals(512, UNCASED.maxLength());
        assertEquals(512, UNCASED.encode("word ".repeat(600)).length());
    }

    @Test
    void pairsGetTypeIdsAndLongestFirstTruncation() {
        Encoding e = UNCASED.encodePair("Who are you?", "A tokenizer.", 512, false);
        assertEquals(List.of("[CLS]", "who", "are", "you", "?", "[SEP]", "a", "token", "##izer", ".", "[SEP]"),
                Arrays.asList(e.tokens()));
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1}, e.typeIds());
        assertArrayEquals(new int[] {-1, 0, 0, 0, 0, -1, 1, 1, 1, 1, -1}, e.sequenceIds());
        assertEquals(2, e.start()[7]);  // offsets are into the second text
        assertEquals(7, e.end()[7]);
        // 4 + 4 word pieces into 8 - 3 = 5: the longer (second) keeps 3, the first 2 … as Hugging Face does
        Encoding cut = UNCASED.encodePair("a b c d", "e f g h", 8, true);
        assertEquals(List.of("[CLS]", "a", "b", "[SEP]", "e", "f", "g", "[SEP]"), Arrays.asList(cut.tokens()));
        // only the longer text is cut when the shorter fits
        Encoding one = UNCASED.encodePair("a", "b c d e f g", 8, true);
        assertEquals(List.of("[CLS]", "a", "[SEP]", "b", "c", "d", "e", "[SEP]"), Arrays.asList(one.tokens()));
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> UNCASED.encodePair("a b c d", "e f g h", 8, false));
        assertTrue(tooLong.getMessage().contains("11 tokens"), tooLong.getMessage());
    }

    @Test
    void decodeRoundTripsSimpleText() {
        for (String s : List.of("hello world.", "the tokenizer's output, decoded!", "is it 42? yes.",
                "i'm sure they're fine and you've won.", "unaffable and unbelievable")) {
            assertEquals(s, UNCASED.decode(UNCASED.encode(s, 512, false).ids(), true));
        }
        String cased = "Lisboa é a capital de Portugal, e o Porto fica no norte.";
        assertEquals(cased, MULTI.decode(MULTI.encode(cased, 512, false).ids(), true));
        int[] ids = UNCASED.encode("Hello [MASK] world", 512, false).ids();
        assertEquals("[CLS] hello [MASK] world [SEP]", UNCASED.decode(ids, false));
        assertEquals("hello world", UNCASED.decode(ids, true));
        // greedy longest-match-first: "##ffa" wins over "##ff" + "##able"
        assertEquals(List.of("una", "##ffa", "##ble"), UNCASED.tokenize("unaffable"));
        assertEquals("unaffable", UNCASED.decode(new int[] {UNCASED.id("una"), UNCASED.id("##ffa"),
                UNCASED.id("##ble")}, true));
        assertEquals("hello , world .", UNCASED.decode(UNCASED.encode("hello, world.", 512, false).ids(), true, false));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> UNCASED.decode(new int[] {101, 40000}, true));
        assertTrue(bad.getMessage().contains("40000"), bad.getMessage());
    }

    @Test
    void nullInputsFailClearly() {
        NullPointerException a = assertThrows(NullPointerException.class, () -> UNCASED.encode(null, 512, true));
        assertTrue(a.getMessage().contains("null"));
        assertThrows(NullPointerException.class, () -> UNCASED.encode(null));
        assertThrows(NullPointerException.class, () -> UNCASED.encodePair("a", null, 512, true));
        assertThrows(NullPointerException.class, () -> UNCASED.encodePair(null, "b", 512, true));
        assertThrows(NullPointerException.class, () -> UNCASED.decode(null, true));
        assertThrows(NullPointerException.class, () -> UNCASED.tokenize(null));
        assertThrows(NullPointerException.class, () -> WordPieceTokenizer.fromVocab((InputStream) null, true));
    }

    @Test
    void vocabularyAccessors() throws IOException {
        assertEquals(30522, UNCASED.vocabSize());
        assertEquals(28996, CASED.vocabSize());
        assertEquals(119547, MULTI.vocabSize());
        assertEquals(101, UNCASED.clsId());
        assertEquals(102, UNCASED.sepId());
        assertEquals(0, UNCASED.padId());
        assertEquals(103, UNCASED.maskId());
        assertEquals(100, UNCASED.unkId());
        assertEquals("[MASK]", UNCASED.token(103));
        assertEquals(7592, UNCASED.id("hello"));
        assertEquals(-1, UNCASED.id("no-such-token"));
        assertThrows(IllegalArgumentException.class, () -> UNCASED.token(-1));
        assertThrows(IllegalArgumentException.class, () -> UNCASED.token(30522));
        WordPieceTokenizer minilm = WordPieceTokenizer.fromTokenizerJson(TestData.path(TestData.MINILM_JSON));
        assertEquals(128, minilm.maxLength());
        assertEquals(128, minilm.encode("word ".repeat(300)).length());
        assertTrue(minilm.lowerCase());
    }

    @Test
    void vocabTxtProblemsAreReported() {
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> WordPieceTokenizer.fromVocab(stream(""), true));
        assertTrue(empty.getMessage().contains("empty"));
        IllegalArgumentException noCls = assertThrows(IllegalArgumentException.class,
                () -> WordPieceTokenizer.fromVocab(stream("[PAD]\n[UNK]\n[SEP]\nhello\n"), true));
        assertTrue(noCls.getMessage().contains("[CLS]"), noCls.getMessage());
        IllegalArgumentException noUnk = assertThrows(IllegalArgumentException.class,
                () -> WordPieceTokenizer.fromVocab(stream("[CLS]\n[SEP]\nhello\n"), true));
        assertTrue(noUnk.getMessage().contains("[UNK]"), noUnk.getMessage());
        // a tiny vocab works; CRLF line ends are line ends (as for Python's text-mode reader)
        WordPieceTokenizer tiny = assertDoesNotThrow(() -> WordPieceTokenizer.fromVocab(
                stream("[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\n[MASK]\r\nhug\r\n##ging\r\n"), true));
        assertArrayEquals(new int[] {2, 5, 6, 1, 3}, tiny.encode("Hugging face", 512, false).ids());
    }

    @Test
    void unsupportedTokenizerJsonIsRefusedWithWhatWasFound() throws IOException {
        String minilm = Files.readString(TestData.path(TestData.MINILM_JSON));
        assertRefused("{\"model\":{\"type\":\"BPE\",\"vocab\":{},\"merges\":[]}}", "model type BPE");
        assertRefused("{\"model\":{\"type\":\"Unigram\",\"vocab\":[]}}", "model type Unigram");
        assertRefused("{\"model\":{\"vocab\":{},\"merges\":[]}}", "model type BPE");
        assertRefused(minilm.replace("\"type\": \"BertNormalizer\"", "\"type\": \"NFKC\"")
                .replace("\"type\":\"BertNormalizer\"", "\"type\":\"NFKC\""), "normalizer 'NFKC'");
        assertRefused(minilm.replace("\"BertPreTokenizer\"", "\"Whitespace\""), "pre_tokenizer 'Whitespace'");
        assertRefused(minilm.replace("\"TemplateProcessing\"", "\"Sequence\""), "post_processor 'Sequence'");
        assertRefused("[1, 2]", "not a tokenizer.json");
        assertRefused("{\"normalizer\":null}", "missing field 'model'");
    }

    @Test
    void encodingIsThreadSafe() {
        List<String> brown = TestData.brown().subList(0, 2000);
        int[][] expected = brown.stream().map(s -> UNCASED.encode(s, 512, true).ids()).toArray(int[][]::new);
        boolean same = IntStream.range(0, brown.size()).parallel()
                .allMatch(i -> Arrays.equals(expected[i], UNCASED.encode(brown.get(i), 512, true).ids()));
        assertTrue(same);
    }

    private static void assertRefused(String json, String expectedMessage) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WordPieceTokenizer.fromTokenizerJson(stream(json)));
        assertTrue(e.getMessage().contains(expectedMessage), e.getMessage());
    }

    private static <T> T assertDoesNotThrow(org.junit.jupiter.api.function.ThrowingSupplier<T> s) {
        return org.junit.jupiter.api.Assertions.assertDoesNotThrow(s);
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
