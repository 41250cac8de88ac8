package dev.mlm4j.tokens;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/** The test resources under {@code tokens/}: vocabularies, tokenizer.json files and corpus slices. */
final class TestData {

    private TestData() {
    }

    static final String UNCASED = "vocab/bert-base-uncased-vocab.txt";
    static final String CASED = "vocab/bert-base-cased-vocab.txt";
    static final String MULTILINGUAL_CASED = "vocab/bert-base-multilingual-cased-vocab.txt";
    static final String MINILM_JSON = "tokenizer-json/all-minilm-l6-v2-tokenizer.json";
    static final String BGE_JSON = "tokenizer-json/bge-small-en-v1.5-tokenizer.json";

    static Path path(String resource) {
        try {
            return Path.of(TestData.class.getResource("/tokens/" + resource).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource tokens/" + resource, e);
        }
    }

    static InputStream open(String resource) {
        return openResource("tokens/" + resource);
    }

    /** The test resource at {@code path} (below the classpath root), decompressed when it ends in .gz. */
    static InputStream openResource(String path) {
        InputStream in = TestData.class.getResourceAsStream("/" + path);
        if (in == null) {
            throw new IllegalStateException("missing test resource " + path);
        }
        try {
            return path.endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines of a resource (gzipped if its name ends in .gz). */
    static List<String> lines(String resource) {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(open(resource), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                out.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static WordPieceTokenizer tokenizer(String vocab, boolean lowerCase) {
        try (InputStream in = open(vocab)) {
            return WordPieceTokenizer.fromVocab(in, lowerCase);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** 10,000 Brown corpus sentences (see make-corpora.py). */
    static List<String> brown() {
        return lines("brown-10k.txt.gz");
    }

    /** 3,000 nlp-corpus sentences without non-ASCII letters (web text, tweets, SMS, UN documents). */
    static List<String> nlpCorpus() {
        return lines("nlp-corpus-3k.txt.gz");
    }

    /** The 678 nlp-corpus sentences that contain non-ASCII letters, marks, symbols or format characters. */
    static List<String> nlpCorpusNonAscii() {
        return lines("nlp-corpus-nonascii.txt");
    }

    /** The hand-written multilingual sentences (see the provenance note at the top of the file). */
    static List<String> handwritten() {
        List<String> out = new ArrayList<>();
        for (String line : lines("multilingual-handwritten.txt")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                out.add(line.substring(line.indexOf('\t') + 1));
            }
        }
        return out;
    }

    /**
     * The cased/multilingual parity set: each hand-written sentence as written, upper-cased, lower-cased, in
     * NFD and in NFKC, with its second word replaced by [MASK], and after an English Brown sentence; the
     * nlp-corpus non-ASCII sentences as they are and in NFD; Brown sentences with accents added and in
     * capitals; and a few synthetic edge cases (control characters, U+FFFD, CJK extension B, over-long words).
     */
    static List<String> multilingual() {
        List<String> brown = brown();
        List<String> out = new ArrayList<>();
        List<String> hand = handwritten();
        for (int i = 0; i < hand.size(); i++) {
            String s = hand.get(i);
            out.add(s);
            out.add(s.toUpperCase(Locale.ROOT));
            out.add(s.toLowerCase(Locale.ROOT));
            out.add(Normalizer.normalize(s, Normalizer.Form.NFD));
            out.add(Normalizer.normalize(s, Normalizer.Form.NFKC));
            String[] words = s.split(" ", -1);
            if (words.length > 2) {
                words[1] = "[MASK]";
                out.add(String.join(" ", words));
            }
            out.add(brown.get(i * 7 % brown.size()) + " " + s);
        }
        for (String s : nlpCorpusNonAscii()) {
            out.add(s);
            out.add(Normalizer.normalize(s, Normalizer.Form.NFD));
        }
        for (int i = 0; i < 400; i++) {
            String s = brown.get(i * 23 % brown.size());
            out.add(accented(s, i));
            out.add(s.toUpperCase(Locale.ROOT));
        }
        out.addAll(edgeCases());
        return out;
    }

    /** Brown text with accents put on some vowels (à la "naïve café"), precomposed or combining. */
    private static String accented(String s, int seed) {
        String[] from = {"e", "a", "o", "u", "i", "c", "n", "E", "A"};
        String[] to = {"é", "à", "ô", "ü", "ï", "ç", "ñ", "É", "Å"};
        StringBuilder sb = new StringBuilder();
        String[] words = s.split(" ", -1);
        for (int w = 0; w < words.length; w++) {
            String word = words[w];
            if ((w + seed) % 3 == 0) {
                int k = (w + seed) % from.length;
                word = word.replaceFirst(from[k], (w % 2 == 0) ? to[k] : Normalizer.normalize(to[k], Normalizer.Form.NFD));
            }
            sb.append(w == 0 ? "" : " ").append(word);
        }
        return sb.toString();
    }

    /** Inputs at the edges of the cleaning, splitting and WordPiece rules. */
    static List<String> edgeCases() {
        String longWord = "a".repeat(100);
        return List.of(
                "",
                " ",
                "\t\n\r ",
                ".",
                "...",
                "Hello I'm a [MASK] model.",
                "nul\u0000char, replacement\uFFFDchar, bell\u0007char, del\u007Fchar",
                "zero\u200Bwidth\u200Cjoiners\u200Dhere and soft\u00ADhyphen and bom\uFEFFmark",
                "private use \uE000\uF8FF and vertical\u000Btab and form\u000Cfeed and next\u0085line",
                "line\u2028separator paragraph\u2029separator ideographic\u3000space nbsp\u00A0here",
                "ogham\u1680space, en\u2002space, thin\u2009space, narrow\u202Fnbsp, math\u205Fspace",
                "CJK ext B 𠀀𠀁 and ext C 𪜀 and compatibility 丽 and radicals ⺀ ⼀ and 〇",
                "Hangul syllables 가각 and jamo 각 and half-width ﾡ",
                "surrogate pairs: 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝐁𝐨𝐥𝐝 😀😃 🇵🇹 and 𝄞 music",
                longWord,
                longWord + "a",
                "é".repeat(101),
                "e\u0301".repeat(60),
                "İ".repeat(60),
                "x".repeat(99) + "İ",
                "ǅemal ǈubljana ǋovi and ΣΊΣΥΦΟΣ and ὈΔΥΣΣΕΎΣ",
                "ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ and Ⅷ ⅷ and ① and ㎏ and ℡",
                "Å (angstrom sign) Ω (ohm sign) K (kelvin sign)",
                "[MASK][MASK]x[MASK]y [SEP][CLS] [PAD][UNK]",
                "[mask] [Mask] [ MASK ] [MASK [MASK]] MASK]",
                "a" + "\u0301".repeat(20) + "b",
                "\u0301\u0302 leading combining marks",
                "1,234.56 and 1.234,56 and ١٢٣ and ４５６",
                "under_score and hy-phen and slash/es and back\\slash and tilde~ and caret^ and `tick`",
                "👩🏽‍💻 developer, 🏳️‍🌈 flag, #️⃣ keycap");
    }
}
