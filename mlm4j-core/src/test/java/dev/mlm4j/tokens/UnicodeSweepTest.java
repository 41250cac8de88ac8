package dev.mlm4j.tokens;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every Unicode code point (U+0000…U+10FFFF, surrogates excluded), inside a word and alone, through the uncased
 * path (clean, CJK, NFD, strip Mn, lower-case) and the multilingual cased path, against Hugging Face.
 * This is where the JDK's Unicode tables and the ones compiled into Hugging Face's binary could disagree.
 * Planes 4–13, unassigned throughout, are sampled (one code point in 61) to keep the test quick.
 */
class UnicodeSweepTest {

    private static final int CHUNK = 64;

    @Test
    void uncased() throws IOException {
        sweep("uncased/all-code-points", TestData.UNCASED, true);
    }

    @Test
    void multilingualCased() throws IOException {
        sweep("multilingual-cased/all-code-points", TestData.MULTILINGUAL_CASED, false);
    }

    private static void sweep(String label, String vocab, boolean lowerCase) throws IOException {
        WordPieceTokenizer ours = TestData.tokenizer(vocab, lowerCase);
        Parity p = new Parity(label, true);
        List<String> bad = new ArrayList<>();
        try (HfOracle hf = HfOracle.ofVocab(TestData.lines(vocab), lowerCase, 0)) {
            for (int base = 0; base <= Character.MAX_CODE_POINT; base += CHUNK) {
                if (base >= 0x40000 && base < 0xE0000 && base % (CHUNK * 61) != 0) {
                    continue;
                }
                StringBuilder sb = new StringBuilder();
                for (int cp = base; cp < base + CHUNK; cp++) {
                    frame(sb, cp);
                }
                String s = sb.toString();
                if (!p.check(s, ours.encode(s, Integer.MAX_VALUE, false), hf.encode(s))) {
                    for (int cp = base; cp < base + CHUNK; cp++) {
                        String one = frame(new StringBuilder(), cp).toString();
                        Parity q = new Parity(label, true);
                        if (!q.check(one, ours.encode(one, Integer.MAX_VALUE, false), hf.encode(one))) {
                            bad.add(String.format("U+%04X %s type=%d", cp, Character.getName(cp), Character.getType(cp)));
                        }
                    }
                }
            }
        }
        System.out.println(p.summary() + ", code points that differ: " + bad.size());
        bad.stream().limit(300).forEach(System.out::println);
        assertEquals(0, bad.size(), p.failureMessage());
    }

    /** "x{cp}y {cp} " — the code point inside a word and on its own (surrogate halves are skipped). */
    private static StringBuilder frame(StringBuilder sb, int cp) {
        if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
            return sb;
        }
        return sb.append('x').appendCodePoint(cp).append("y ").appendCodePoint(cp).append(' ');
    }
}
