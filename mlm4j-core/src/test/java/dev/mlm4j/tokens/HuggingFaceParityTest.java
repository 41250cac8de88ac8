package dev.mlm4j.tokens;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Token-for-token parity with Hugging Face's Rust tokenizer (via DJL) on real text: ids, token strings, type ids,
 * special flags, sequence ids and offsets must all be identical. The oracle decides what is expected.
 */
class HuggingFaceParityTest {

    /** ≥ 5,000 real English sentences with the bert-base-uncased vocab: ids and offsets identical. */
    @Test
    void uncasedBrownCorpus() throws IOException {
        List<String> brown = TestData.brown();
        assertTrue(brown.size() >= 5000);
        Parity p = run("uncased/brown", TestData.UNCASED, true, brown);
        assertEquals(0, p.mismatched(), p.failureMessage());
    }

    /** More English: web text, tweets, SMS, film reviews, UN documents (nlp-corpus). */
    @Test
    void uncasedNlpCorpus() throws IOException {
        Parity p = run("uncased/nlp-corpus", TestData.UNCASED, true, TestData.nlpCorpus());
        assertEquals(0, p.mismatched(), p.failureMessage());
    }

    /** ≥ 2,000 sentences in many languages and scripts with the cased vocab (accents and case kept). */
    @Test
    void casedMultilingual() throws IOException {
        List<String> set = TestData.multilingual();
        assertTrue(set.size() >= 2000);
        Parity p = run("cased/multilingual", TestData.CASED, false, set);
        assertEquals(0, p.mismatched(), p.failureMessage());
    }

    /** The same set with the multilingual cased vocab (119,547 pieces, 104 languages). */
    @Test
    void multilingualCasedMultilingual() throws IOException {
        Parity p = run("multilingual-cased/multilingual", TestData.MULTILINGUAL_CASED, false, TestData.multilingual());
        assertEquals(0, p.mismatched(), p.failureMessage());
    }

    /** The same set through the uncased path: NFD, accent stripping and lower-casing change lengths. */
    @Test
    void uncasedMultilingual() throws IOException {
        Parity p = run("uncased/multilingual", TestData.UNCASED, true, TestData.multilingual());
        assertEquals(0, p.mismatched(), p.failureMessage());
    }

    /** fromTokenizerJson: MiniLM's and BGE's tokenizer.json files agree with Hugging Face reading the same file. */
    @Test
    void tokenizerJsonFiles() throws IOException {
        List<String> texts = new java.util.ArrayList<>(TestData.brown());
        texts.addAll(TestData.nlpCorpus());
        texts.addAll(TestData.edgeCases());
        for (String json : List.of(TestData.MINILM_JSON, TestData.BGE_JSON)) {
            WordPieceTokenizer ours = WordPieceTokenizer.fromTokenizerJson(TestData.path(json));
            Parity p = new Parity(json, true);
            try (HfOracle hf = HfOracle.ofTokenizerJson(TestData.path(json))) {
                for (String s : texts) {
                    p.check(s, ours.encode(s, Integer.MAX_VALUE, false), hf.encode(s));
                }
            }
            System.out.println(p.summary());
            assertEquals(0, p.mismatched(), p.failureMessage());
        }
    }

    /** The vocab.txt and tokenizer.json routes to the same model give the same tokenizer. */
    @Test
    void minilmJsonMatchesUncasedVocab() throws IOException {
        WordPieceTokenizer json = WordPieceTokenizer.fromTokenizerJson(TestData.path(TestData.MINILM_JSON));
        WordPieceTokenizer vocab = TestData.tokenizer(TestData.UNCASED, true);
        assertEquals(128, json.maxLength());
        for (String s : TestData.brown().subList(0, 2000)) {
            Encoding a = json.encode(s, 100_000, false);
            Encoding b = vocab.encode(s, 100_000, false);
            assertEquals(java.util.Arrays.toString(b.ids()), java.util.Arrays.toString(a.ids()), s);
        }
    }

    /**
     * Pairs, with and without LongestFirst truncation at several lengths: ids, type ids (0…0 1…1), sequence ids,
     * offsets into each text and the truncated flag.
     */
    @Test
    void pairsAndTruncation() throws IOException {
        List<String> brown = TestData.brown();
        List<String> vocab = TestData.lines(TestData.UNCASED);
        WordPieceTokenizer ours = TestData.tokenizer(TestData.UNCASED, true);
        for (int max : new int[] {0, 8, 9, 16, 33, 64, 128}) {
            Parity single = new Parity("uncased/single/truncate@" + max, true);
            Parity pair = new Parity("uncased/pair/truncate@" + max, true);
            try (HfOracle hf = HfOracle.ofVocab(vocab, true, max)) {
                for (int i = 0; i < 1500; i++) {
                    String a = brown.get(i);
                    String b = brown.get((i * 31 + 7) % brown.size());
                    if (i % 10 == 0) {
                        b = b.substring(0, b.length() / 5);  // some short second texts
                    }
                    int limit = max == 0 ? Integer.MAX_VALUE : max;
                    single.check(a, ours.encode(a, limit, true), hf.encode(a));
                    pair.check(a + " || " + b, ours.encodePair(a, b, limit, true), hf.encodePair(a, b));
                }
            }
            System.out.println(single.summary());
            System.out.println(pair.summary());
            assertEquals(0, single.mismatched(), single.failureMessage());
            assertEquals(0, pair.mismatched(), pair.failureMessage());
        }
    }

    /** decode = Hugging Face's Rust decode followed by transformers' clean_up_tokenization. */
    @Test
    void decodeMatchesHuggingFace() throws IOException {
        List<String> vocab = TestData.lines(TestData.UNCASED);
        WordPieceTokenizer ours = TestData.tokenizer(TestData.UNCASED, true);
        int n = 0;
        try (HfOracle hf = HfOracle.ofVocab(vocab, true, 0)) {
            List<String> texts = new java.util.ArrayList<>(TestData.brown().subList(0, 3000));
            texts.addAll(TestData.multilingual().subList(0, 1000));
            for (String s : texts) {
                int[] ids = ours.encode(s, Integer.MAX_VALUE, false).ids();
                for (boolean skip : new boolean[] {true, false}) {
                    String expected = WordPieceTokenizer.cleanUpTokenization(hf.decode(ids, skip));
                    assertEquals(expected, ours.decode(ids, skip), () -> "decode of " + Parity.quote(s));
                    n++;
                }
            }
        }
        System.out.println("[uncased/decode] " + n + " decodes identical");
    }

    /** Added tokens with lstrip / rstrip / single_word / normalized, as RoBERTa-style configs use them. */
    @Test
    void addedTokenOptions() throws IOException {
        String base = Files.readString(TestData.path(TestData.MINILM_JSON));
        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
        var root = (com.fasterxml.jackson.databind.node.ObjectNode) m.readTree(base);
        root.putNull("truncation");
        root.putNull("padding");
        var added = root.withArray("added_tokens");
        added.addObject().put("id", 30522).put("content", "<ent>").put("single_word", false).put("lstrip", true)
                .put("rstrip", true).put("normalized", false).put("special", false);
        added.addObject().put("id", 30523).put("content", "Mlm4J").put("single_word", true).put("lstrip", false)
                .put("rstrip", false).put("normalized", true).put("special", false);
        added.addObject().put("id", 30524).put("content", "[SEP2]").put("single_word", false).put("lstrip", false)
                .put("rstrip", false).put("normalized", false).put("special", true);
        added.addObject().put("id", 30525).put("content", "ent>").put("single_word", true).put("lstrip", false)
                .put("rstrip", true).put("normalized", false).put("special", false);
        String json = root.toString();
        WordPieceTokenizer ours = WordPieceTokenizer.fromTokenizerJson(
                new java.io.ByteArrayInputStream(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        List<String> texts = List.of(
                "a <ent> b", "a<ent>b", "x   <ent>   y", "<ent><ent> <ent>", "mlm4j rocks", "MLM4J rocks", "xmlm4j",
                "mlm4jx", "mlm4j_ok", "(mlm4j)", "Mlm4J.", "ent> and <ent> and ent>x", "[SEP2] and [sep2]",
                "\t<ent>\u2000 tail", "é<ent>é MLM4J-MLM4J", "<ent>[MASK]<ent>", "");
        Parity p = new Parity("added-token-options", true);
        try (HfOracle hf = HfOracle.ofJson(json, 0)) {
            for (String s : texts) {
                p.check(s, ours.encode(s, Integer.MAX_VALUE, false), hf.encode(s));
            }
            for (String s : texts) {
                Encoding e = ours.encode(s, Integer.MAX_VALUE, false);
                for (boolean skip : new boolean[] {true, false}) {
                    assertEquals(WordPieceTokenizer.cleanUpTokenization(hf.decode(e.ids(), skip)), ours.decode(e.ids(), skip));
                }
            }
        }
        System.out.println(p.summary());
        assertEquals(0, p.mismatched(), p.failureMessage());
    }

    private static Parity run(String label, String vocabResource, boolean lowerCase, List<String> texts)
            throws IOException {
        WordPieceTokenizer ours = TestData.tokenizer(vocabResource, lowerCase);
        Parity p = new Parity(label, true);
        try (HfOracle hf = HfOracle.ofVocab(TestData.lines(vocabResource), lowerCase, 0)) {
            for (String s : texts) {
                p.check(s, ours.encode(s, Integer.MAX_VALUE, false), hf.encode(s));
            }
        }
        System.out.println(p.summary());
        return p;
    }
}
