package dev.mlm4j.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Brown tags collapse to the 12 universal tags by the documented rules. */
class UniversalTagsTest {

    static void maps(String universal, String... brown) {
        for (String b : brown) assertEquals(universal, UniversalTags.of(b), b);
    }

    @Test
    void baseTags() {
        maps("NOUN", "nn", "nns", "np", "nps", "nr", "nrs", "nn$", "np$", "nns$");
        maps("VERB", "vb", "vbd", "vbg", "vbn", "vbz", "be", "bedz", "ben", "bez", "do", "dod", "hv", "hvd", "md");
        maps("ADJ", "jj", "jjr", "jjs", "jjt", "od", "ap");
        maps("ADV", "rb", "rbr", "rbt", "rn", "ql", "qlp", "wql", "wrb", "abl", "*");
        maps("PRON", "pn", "pp$", "pp$$", "ppl", "ppls", "ppo", "pps", "ppss", "wps", "wpo", "wp$");
        maps("DET", "at", "dt", "dti", "dts", "dtx", "abn", "abx", "wdt", "ex");
        maps("ADP", "in", "cs");
        maps("CONJ", "cc");
        maps("NUM", "cd", "cd$");
        maps("PRT", "rp", "to");
        maps("X", "uh", "nil", "fw-nn", "fw-in+at-tl");
        maps(".", ".", ",", ":", "(", ")", "--", "'", "''", "``");
    }

    @Test
    void modifiersNegationAndContractions() {
        maps("NOUN", "nn-tl", "nn-hl", "nn-tl-hl", "nn-nc", "np$-tl");
        maps("VERB", "bez*", "do*", "md*", "hvd*-hl");
        maps("PRON", "ppss+bem", "pps+bez", "ppss+md");
        maps(".", ".-hl", ",-nc", "---hl");
        maps("ADV", "*-hl");
        maps("NOUN", "NN-TL");
    }

    @Test
    void theTwelveTagsHaveIndices() {
        assertEquals(12, UniversalTags.TAGS.size());
        for (int i = 0; i < 12; i++) assertEquals(i, UniversalTags.index(UniversalTags.TAGS.get(i)));
        assertTrue(UniversalTags.TAGS.contains(UniversalTags.of("zz-unknown")));
    }
}
