package dev.mlm4j.tokens;

/**
 * Hugging Face's {@code BertNormalizer} ({@code tokenizers/src/normalizers/bert.rs}), in its order:
 * <ol>
 *   <li>clean text: drop U+0000, U+FFFD and control characters (Cc, Cf, Co; also lone surrogates), map every
 *       whitespace character to a space;</li>
 *   <li>CJK ideographs: surround each with spaces so it becomes a word of its own;</li>
 *   <li>strip accents: NFD, then drop non-spacing marks (Mn);</li>
 *   <li>lower-case each code point on its own, as Rust's {@code char::to_lowercase} does: the full mapping
 *       (so {@code İ} → {@code i̇}), no locale and no context (a final {@code Σ} gives {@code σ}).</li>
 * </ol>
 * Every step works on single code points, so the four are fused into one pass. Each output code point keeps the
 * original-text range of the character it came from (see {@link AlignedText}).
 *
 * @param stripAccents Hugging Face's {@code strip_accents}; {@code null} in a tokenizer.json means "follow
 *                     lowercase", which the factories resolve before building this record.
 */
record BertNormalizer(boolean cleanText, boolean handleChineseChars, boolean stripAccents, boolean lowercase)
        implements Normalizer {

    /** The normalizer transformers builds for a BERT vocab.txt: strip_accents follows do_lower_case. */
    static BertNormalizer forLowerCase(boolean lowerCase) {
        return new BertNormalizer(true, true, lowerCase, lowerCase);
    }

    @Override
    public void normalize(AlignedText in, int from, int to, AlignedText out) {
        for (int i = from; i < to; i++) {
            int cp = in.cps[i];
            int s = in.start[i];
            int e = in.end[i];
            if (cleanText) {
                if (cp == 0 || cp == 0xFFFD || CharClasses.isControl(cp) || isLoneSurrogate(cp)) {
                    continue;
                }
                if (CharClasses.isWhitespace(cp)) {
                    cp = ' ';
                }
            }
            if (handleChineseChars && CharClasses.isChineseChar(cp)) {
                out.add(' ', s, e);
                stripAndLower(cp, s, e, out);
                out.add(' ', s, e);
            } else {
                stripAndLower(cp, s, e, out);
            }
        }
    }

    private void stripAndLower(int cp, int s, int e, AlignedText out) {
        if (stripAccents && cp >= 0xC0) {
            String nfd = decompose(cp);
            if (nfd == null) {
                if (!CharClasses.isNonSpacingMark(cp)) {
                    lower(cp, s, e, out);
                }
                return;
            }
            for (int k = 0; k < nfd.length(); ) {
                int d = nfd.codePointAt(k);
                k += Character.charCount(d);
                if (!CharClasses.isNonSpacingMark(d)) {
                    lower(d, s, e, out);
                }
            }
        } else {
            lower(cp, s, e, out);
        }
    }

    private void lower(int cp, int s, int e, AlignedText out) {
        if (!lowercase) {
            out.add(cp, s, e);
        } else if (cp < 0x80) {
            out.add(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp, s, e);
        } else if (cp == 0x130) {
            // The one unconditional multi-character lower-case mapping (SpecialCasing.txt): İ → i + U+0307.
            out.add('i', s, e);
            out.add(0x307, s, e);
        } else {
            out.add(Character.toLowerCase(cp), s, e);
        }
    }

    private static boolean isLoneSurrogate(int cp) {
        return cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE;
    }

    /** The canonical decomposition of {@code cp}, or null when it has none. */
    private static String decompose(int cp) {
        if (cp < LATIN_END) {
            return LATIN_NFD[cp - 0xC0];
        }
        String s = Character.toString(cp);
        return java.text.Normalizer.isNormalized(s, java.text.Normalizer.Form.NFD) ? null : java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFD);
    }

    private static final int LATIN_END = 0x250;  // Latin-1 Supplement, Latin Extended-A and -B precomputed
    private static final String[] LATIN_NFD = new String[LATIN_END - 0xC0];

    static {
        for (int cp = 0xC0; cp < LATIN_END; cp++) {
            String s = Character.toString(cp);
            LATIN_NFD[cp - 0xC0] = java.text.Normalizer.isNormalized(s, java.text.Normalizer.Form.NFD) ? null
                    : java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFD);
        }
    }
}
