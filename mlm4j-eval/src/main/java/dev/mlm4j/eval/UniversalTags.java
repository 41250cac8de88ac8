package dev.mlm4j.eval;

import java.util.List;
import java.util.Locale;

/**
 * Brown's 80-odd part-of-speech tags (and their hundreds of compounds) collapsed to the 12 tags of the
 * universal tagset of Petrov, Das and McDonald (2012): NOUN VERB ADJ ADV PRON DET ADP NUM CONJ PRT X and
 * "." (punctuation). The mapping follows the Penn-Treebank conventions of that paper where Brown is finer:
 * <ol>
 *   <li>{@code fw-…} (foreign words) → X;</li>
 *   <li>the modifiers are dropped: {@code -tl} (title), {@code -hl} (headline), {@code -nc} (cited word);</li>
 *   <li>a contraction ({@code ppss+bem} "I'm", {@code pps+bez} "it's") takes its first part;</li>
 *   <li>{@code *} (not, n't) → ADV; otherwise the negation mark ({@code bez*} "isn't") and the possessive
 *       {@code $} ({@code np$}, {@code pp$}) are dropped;</li>
 *   <li>tags without letters (. , : ( ) -- ' '' ``) → ".";</li>
 *   <li>then, by base tag: nouns {@code nn np nr(s)} → NOUN; {@code vb* be* do* hv* md} → VERB;
 *       {@code jj*}, {@code od} (ordinals) and {@code ap} (many, other, next) → ADJ; {@code rb rbr rbt rn ql qlp
 *       wql wrb abl} → ADV; {@code pn pp* wp*} → PRON; {@code at dt dti dts dtx abn abx wdt ex} → DET;
 *       {@code in cs} (prepositions, subordinating conjunctions — Penn's IN) → ADP; {@code cc} → CONJ;
 *       {@code cd} → NUM; {@code rp to} → PRT; {@code uh nil} and anything unknown → X.</li>
 * </ol>
 */
public final class UniversalTags {
    private UniversalTags() {}

    /** The 12 tags, in the order used for class indices. */
    public static final List<String> TAGS = List.of("NOUN", "VERB", "ADJ", "ADV", "PRON", "DET", "ADP", "NUM", "CONJ", "PRT", "X", ".");

    /** The class index of a universal tag. */
    public static int index(String universalTag) {
        int i = TAGS.indexOf(universalTag);
        if (i < 0) throw new IllegalArgumentException("not a universal tag: " + universalTag);
        return i;
    }

    /** The universal tag of a Brown tag (any case, with its modifiers). */
    public static String of(String brownTag) {
        String t = brownTag.toLowerCase(Locale.ROOT);
        if (t.startsWith("fw-")) return "X";
        t = t.replaceAll("(-(tl|hl|nc))+$", "");
        int plus = t.indexOf('+');
        if (plus > 0) t = t.substring(0, plus);
        if (t.equals("*")) return "ADV";
        t = t.replace("*", "");
        while (t.endsWith("$")) t = t.substring(0, t.length() - 1);
        if (t.isEmpty() || t.chars().noneMatch(Character::isLetter)) return ".";
        return switch (t) {
            case "at", "dt", "dti", "dts", "dtx", "abn", "abx", "wdt", "ex" -> "DET";
            case "ap", "od" -> "ADJ";
            case "abl", "ql", "qlp", "rb", "rbr", "rbt", "rn", "wql", "wrb" -> "ADV";
            case "cc" -> "CONJ";
            case "cs", "in" -> "ADP";
            case "cd" -> "NUM";
            case "rp", "to" -> "PRT";
            case "md" -> "VERB";
            case "uh", "nil" -> "X";
            default -> {
                if (t.startsWith("vb") || t.startsWith("be") || t.startsWith("do") || t.startsWith("hv")) yield "VERB";
                if (t.startsWith("jj")) yield "ADJ";
                if (t.startsWith("nn") || t.startsWith("np") || t.startsWith("nr")) yield "NOUN";
                if (t.startsWith("pn") || t.startsWith("pp") || t.startsWith("wp")) yield "PRON";
                yield "X";
            }
        };
    }
}
