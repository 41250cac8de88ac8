package dev.mlm4j.pipelines;

import dev.mlm4j.tokens.Tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Varied real texts for the embedding tests, from the tokenizer test resources (see tokens/README.md): Brown corpus
 * sentences, web/UN/SMS sentences from nlp-corpus (ASCII and not), hand-written multilingual lines, edge cases, and
 * long texts made by concatenating consecutive Brown sentences up to a token count between 100 and 560.
 */
final class EmbeddingTexts {
    private EmbeddingTexts() {}

    /** Token counts the long texts are built up to ([CLS] and [SEP] included); 560 is over 512, for truncation. */
    static final int[] LONG_TARGETS = {96, 180, 257, 333, 420, 480, 505, 511, 560};

    /** 60-odd texts: short, medium, non-ASCII, edge cases, then long ones built with {@code tokenizer}. */
    static List<String> varied(Tokenizer tokenizer) {
        List<String> brown = lines("brown-10k.txt.gz");
        List<String> web = lines("nlp-corpus-3k.txt.gz");
        List<String> nonAscii = lines("nlp-corpus-nonascii.txt");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 25; i++) texts.add(brown.get(17 + i * 397));
        for (int i = 0; i < 10; i++) texts.add(web.get(5 + i * 293));
        for (int i = 0; i < 6; i++) texts.add(nonAscii.get(3 + i * 111));
        int taken = 0;
        for (String l : lines("multilingual-handwritten.txt")) {
            if (l.startsWith("#") || !l.contains("\t")) continue;
            if (taken++ % 60 == 0) texts.add(l.substring(l.indexOf('\t') + 1));
        }
        texts.addAll(List.of("", "a", "Hello!", "[MASK]", "   spaced    out   ", "I ❤️ NY 🍕 — naïve café", "1234567890 3.14159 $100"));
        int start = 1000;
        for (int target : LONG_TARGETS) {
            StringBuilder sb = new StringBuilder();
            for (int i = start; ; i++) {
                String candidate = sb.isEmpty() ? brown.get(i) : sb + " " + brown.get(i);
                int n = tokenizer.encode(candidate, Integer.MAX_VALUE, false).length();
                if (n > target && !sb.isEmpty()) break;
                sb.setLength(0);
                sb.append(candidate);
                if (n > target) break;
            }
            texts.add(sb.toString());
            start += 500;
        }
        return texts;
    }

    /**
     * Chinese texts (for bge-small-zh): every Chinese, Japanese and Korean line of the hand-written multilingual file,
     * the nlp-corpus lines with Han characters, a few mixed with Latin script, digits and full-width punctuation, and
     * long texts of those lines run together up to about 200, 480 and 600 tokens (the last cut to 512).
     */
    static List<String> chinese(Tokenizer tokenizer) {
        List<String> texts = new ArrayList<>();
        for (String l : lines("multilingual-handwritten.txt")) {
            if (l.startsWith("zh") || l.startsWith("ja") || l.startsWith("ko")) texts.add(l.substring(l.indexOf('\t') + 1));
        }
        for (String l : lines("nlp-corpus-nonascii.txt")) {
            if (l.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN)) texts.add(l);
        }
        texts.addAll(List.of("", "中", "ＡＢＣ１２３，全角字符。", "我用iPhone 15拍了3张照片😀", "　全角空格　和\t制表符"));
        List<String> base = List.copyOf(texts);
        for (int target : new int[] {200, 480, 600}) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; tokenizer.encode(sb.toString(), Integer.MAX_VALUE, false).length() < target; i++) sb.append(base.get(i % base.size()));
            texts.add(sb.toString());
        }
        return texts;
    }

    static List<String> lines(String resource) {
        List<String> out = new ArrayList<>();
        try (InputStream raw = EmbeddingTexts.class.getResourceAsStream("/tokens/" + resource)) {
            if (raw == null) throw new IllegalStateException("missing test resource tokens/" + resource);
            InputStream in = resource.endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) out.add(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
