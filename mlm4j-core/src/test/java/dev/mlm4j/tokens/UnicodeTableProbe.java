package dev.mlm4j.tokens;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;


/**
 * Regenerates the exception tables in {@link CharClasses}: asks Hugging Face (the oracle) how it classifies every
 * code point — punctuation (split off), control/format (dropped), non-spacing mark (dropped by accent stripping) —
 * and prints, as Java, the code points where that differs from the JDK's Unicode tables.
 * Run: {@code java -cp <test classpath> dev.mlm4j.tokens.UnicodeTableProbe}; it compares against the JDK's own
 * view ({@code CharClasses.jdkIs…}), so the output replaces the tables rather than adding to them.
 */
public final class UnicodeTableProbe {

    public static void main(String[] args) throws IOException {
        List<String> vocab = TestData.lines(TestData.MULTILINGUAL_CASED);
        List<Integer> notPunct = new ArrayList<>(), punct = new ArrayList<>();
        List<Integer> notControl = new ArrayList<>(), control = new ArrayList<>();
        List<Integer> notMn = new ArrayList<>(), mn = new ArrayList<>();
        try (HfOracle cased = HfOracle.ofVocab(vocab, false, 0); HfOracle stripped = HfOracle.ofVocab(vocab, true, 0)) {
            for (int cp = 0x80; cp <= Character.MAX_CODE_POINT; cp++) {
                if ((cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) || CharClasses.isChineseChar(cp)) {
                    continue;
                }
                String s = "x" + Character.toString(cp) + "y";
                String[] c = pieces(cased.encode(s));
                boolean hfControl = isOneWord(c, "xy");                                   // vanished
                boolean hfPunct = c.length == 3 && c[0].equals("x") && c[2].equals("y");  // split off on its own
                boolean hfMn = !hfControl && isOneWord(pieces(stripped.encode(s)), "xy"); // vanished only when stripping
                collect(cp, hfPunct, CharClasses::jdkIsPunctuation, punct, notPunct);
                collect(cp, hfControl, CharClasses::jdkIsControl, control, notControl);
                if (!hfControl && !CharClasses.jdkIsControl(cp)) {
                    collect(cp, hfMn, CharClasses::jdkIsNonSpacingMark, mn, notMn);
                }
            }
        }
        print("PUNCTUATION_ONLY_IN_JDK", notPunct);
        print("PUNCTUATION_ONLY_IN_HF", punct);
        print("CONTROL_ONLY_IN_JDK", notControl);
        print("CONTROL_ONLY_IN_HF", control);
        print("NON_SPACING_MARK_ONLY_IN_JDK", notMn);
        print("NON_SPACING_MARK_ONLY_IN_HF", mn);
    }

    /** The tokens between [CLS] and [SEP]. */
    private static String[] pieces(HfOracle.Result r) {
        return java.util.Arrays.copyOfRange(r.tokens(), 1, r.tokens().length - 1);
    }

    /** Whether the pieces form one word (all but the first start with "##") spelling {@code word}. */
    private static boolean isOneWord(String[] pieces, String word) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pieces.length; i++) {
            if (i > 0 && !pieces[i].startsWith("##")) {
                return false;
            }
            sb.append(i > 0 ? pieces[i].substring(2) : pieces[i]);
        }
        return sb.toString().equals(word);
    }

    private static void collect(int cp, boolean hf, IntPredicate jdk, List<Integer> onlyHf, List<Integer> onlyJdk) {
        boolean j = jdk.test(cp);
        if (hf && !j) {
            onlyHf.add(cp);
        } else if (!hf && j) {
            onlyJdk.add(cp);
        }
    }

    /** Prints the code points as a Java array of inclusive ranges. */
    private static void print(String name, List<Integer> cps) {
        StringBuilder sb = new StringBuilder("    private static final int[] " + name + " = {  // " + cps.size()
                + " code points, inclusive ranges\n           ");
        int col = 0;
        for (int i = 0; i < cps.size(); ) {
            int j = i;
            while (j + 1 < cps.size() && cps.get(j + 1) == cps.get(j) + 1) {
                j++;
            }
            String r = String.format(" 0x%04X, 0x%04X,", cps.get(i), cps.get(j));
            if (col + r.length() > 108) {
                sb.append("\n           ");
                col = 0;
            }
            sb.append(r);
            col += r.length();
            i = j + 1;
        }
        System.out.println(sb.append("\n    };"));
    }
}
