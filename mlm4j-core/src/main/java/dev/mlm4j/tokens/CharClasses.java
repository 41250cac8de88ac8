package dev.mlm4j.tokens;

/**
 * The character classes Hugging Face's BERT normalizer and pre-tokenizer test, on code points.
 *
 * <p>Mirrors {@code tokenizers/src/normalizers/bert.rs} ({@code is_whitespace}, {@code is_control},
 * {@code is_chinese_char}) and {@code tokenizers/src/pre_tokenizers/bert.rs} ({@code is_bert_punc}).
 * General categories come from {@link Character#getType(int)} (the JDK's Unicode tables).
 */
final class CharClasses {

    private CharClasses() {
    }

    /**
     * Rust's {@code char::is_whitespace}: the Unicode White_Space property. Not {@link Character#isWhitespace}
     * (which excludes U+00A0 and includes U+001C–U+001F).
     */
    static boolean isWhitespace(int cp) {
        if (cp <= 0x20) {
            return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
        }
        if (cp < 0x85) {
            return false;
        }
        return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    /**
     * BertNormalizer's {@code is_control}: categories Cc, Cf and Co, except tab, newline and carriage
     * return (which count as whitespace). Unassigned code points (Cn) are not control characters here.
     */
    static boolean isControl(int cp) {
        if (cp < 0x7F) {
            return cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r';
        }
        return jdkIsControl(cp) != in(CONTROL_EXCEPTIONS, cp);
    }

    /** {@link #isControl} by the JDK's Unicode tables alone. */
    static boolean jdkIsControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.PRIVATE_USE;
    }

    /** {@code is_bert_punc}: ASCII punctuation (33–47, 58–64, 91–96, 123–126) or any Unicode P* category. */
    static boolean isPunctuation(int cp) {
        if (cp < 0x80) {
            return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126);
        }
        return jdkIsPunctuation(cp) != in(PUNCTUATION_EXCEPTIONS, cp);
    }

    /** {@link #isPunctuation} by the JDK's Unicode tables alone. */
    static boolean jdkIsPunctuation(int cp) {
        if (cp < 0x80) {
            return isPunctuation(cp);
        }
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                 Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** Category Mn, the marks accent stripping removes after NFD. */
    static boolean isNonSpacingMark(int cp) {
        return cp >= 0x300 && jdkIsNonSpacingMark(cp) != in(NON_SPACING_MARK_EXCEPTIONS, cp);
    }

    /** {@link #isNonSpacingMark} by the JDK's Unicode tables alone. */
    static boolean jdkIsNonSpacingMark(int cp) {
        return Character.getType(cp) == Character.NON_SPACING_MARK;
    }

    /** Whether {@code cp} lies in one of the inclusive ranges {@code table[2k]…table[2k+1]} (sorted). */
    private static boolean in(int[] table, int cp) {
        if (table.length == 0 || cp < table[0]) {
            return false;
        }
        int i = java.util.Arrays.binarySearch(table, cp);
        return i >= 0 || ((-i - 1) & 1) == 1;  // found a bound, or falls between a range's start and end
    }

    // Hugging Face's tokenizers classifies characters with the unicode_categories crate, whose tables date from
    // Unicode 8.0 (2015) by the evidence: U+2E42, new in 8.0, is punctuation to it; U+2E43, new in 9.0, is not.
    // The JDK follows a much newer Unicode. Where the two disagree on the
    // three classes that matter here, Hugging Face's answer wins (it is what the models were trained with).
    // Each table lists the code points whose JDK answer must be flipped, as sorted inclusive ranges. They were
    // measured against Hugging Face itself by UnicodeTableProbe (test sources) and are checked over all
    // 1,112,064 code points by UnicodeSweepTest; a JDK with a newer Unicode will make that test name any
    // new code point to add. Letters, case mappings and NFD agree everywhere and need no table.

    /** Cf in the JDK, unassigned in Unicode 8.0 (20 code points). */
    private static final int[] CONTROL_EXCEPTIONS = {
            0x0890, 0x0891, 0x08E2, 0x08E2, 0x110CD, 0x110CD, 0x13430, 0x1343F,
    };

    /** P* in only one of the two: assigned after 8.0, or U+166D, U+111C9 (P* in 8.0, So/Mn now) (142). */
    private static final int[] PUNCTUATION_EXCEPTIONS = {
            0x061D, 0x061D, 0x09FD, 0x09FD, 0x0A76, 0x0A76, 0x0C77, 0x0C77, 0x0C84, 0x0C84, 0x166D, 0x166D,
            0x1B4E, 0x1B4F, 0x1B7D, 0x1B7F, 0x2E43, 0x2E4F, 0x2E52, 0x2E5D, 0x10D6E, 0x10D6E, 0x10EAD, 0x10EAD,
            0x10F55, 0x10F59, 0x10F86, 0x10F89, 0x111C9, 0x111C9, 0x113D4, 0x113D5, 0x113D7, 0x113D8,
            0x1144B, 0x1144F, 0x1145A, 0x1145B, 0x1145D, 0x1145D, 0x11660, 0x1166C, 0x116B9, 0x116B9,
            0x1183B, 0x1183B, 0x11944, 0x11946, 0x119E2, 0x119E2, 0x11A3F, 0x11A46, 0x11A9A, 0x11A9C,
            0x11A9E, 0x11AA2, 0x11B00, 0x11B09, 0x11BE1, 0x11BE1, 0x11C41, 0x11C45, 0x11C70, 0x11C71,
            0x11EF7, 0x11EF8, 0x11F43, 0x11F4F, 0x11FFF, 0x11FFF, 0x12FF1, 0x12FF2, 0x16D6D, 0x16D6F,
            0x16E97, 0x16E9A, 0x16FE2, 0x16FE2, 0x1E5FF, 0x1E5FF, 0x1E95E, 0x1E95F,
    };

    /** Mn in only one of the two: assigned after 8.0 or recategorized, e.g. U+1734, U+1885 (457). */
    private static final int[] NON_SPACING_MARK_EXCEPTIONS = {
            0x07FD, 0x07FD, 0x0897, 0x089F, 0x08CA, 0x08E1, 0x09FE, 0x09FE, 0x0AFA, 0x0AFF, 0x0B55, 0x0B55,
            0x0C04, 0x0C04, 0x0C3C, 0x0C3C, 0x0D00, 0x0D00, 0x0D3B, 0x0D3C, 0x0D81, 0x0D81, 0x0EBA, 0x0EBA,
            0x0ECE, 0x0ECE, 0x1734, 0x1734, 0x180F, 0x180F, 0x1885, 0x1886, 0x1ABF, 0x1ACE, 0x1DF6, 0x1DFB,
            0xA82C, 0xA82C, 0xA8C5, 0xA8C5, 0xA8FF, 0xA8FF, 0xA9BD, 0xA9BD, 0x10D24, 0x10D27, 0x10D69, 0x10D6D,
            0x10EAB, 0x10EAC, 0x10EFC, 0x10EFF, 0x10F46, 0x10F50, 0x10F82, 0x10F85, 0x11070, 0x11070,
            0x11073, 0x11074, 0x110C2, 0x110C2, 0x111C9, 0x111C9, 0x111CF, 0x111CF, 0x1123E, 0x1123E,
            0x11241, 0x11241, 0x1133B, 0x1133B, 0x113BB, 0x113C0, 0x113CE, 0x113CE, 0x113D0, 0x113D0,
            0x113D2, 0x113D2, 0x113E1, 0x113E2, 0x11438, 0x1143F, 0x11442, 0x11444, 0x11446, 0x11446,
            0x1145E, 0x1145E, 0x1171E, 0x1171E, 0x1182F, 0x11837, 0x11839, 0x1183A, 0x1193B, 0x1193C,
            0x1193E, 0x1193E, 0x11943, 0x11943, 0x119D4, 0x119D7, 0x119DA, 0x119DB, 0x119E0, 0x119E0,
            0x11A01, 0x11A0A, 0x11A33, 0x11A38, 0x11A3B, 0x11A3E, 0x11A47, 0x11A47, 0x11A51, 0x11A56,
            0x11A59, 0x11A5B, 0x11A8A, 0x11A96, 0x11A98, 0x11A99, 0x11C30, 0x11C36, 0x11C38, 0x11C3D,
            0x11C3F, 0x11C3F, 0x11C92, 0x11CA7, 0x11CAA, 0x11CB0, 0x11CB2, 0x11CB3, 0x11CB5, 0x11CB6,
            0x11D31, 0x11D36, 0x11D3A, 0x11D3A, 0x11D3C, 0x11D3D, 0x11D3F, 0x11D45, 0x11D47, 0x11D47,
            0x11D90, 0x11D91, 0x11D95, 0x11D95, 0x11D97, 0x11D97, 0x11EF3, 0x11EF4, 0x11F00, 0x11F01,
            0x11F36, 0x11F3A, 0x11F40, 0x11F40, 0x11F42, 0x11F42, 0x11F5A, 0x11F5A, 0x13440, 0x13440,
            0x13447, 0x13455, 0x1611E, 0x16129, 0x1612D, 0x1612F, 0x16F4F, 0x16F4F, 0x16FE4, 0x16FE4,
            0x1CF00, 0x1CF2D, 0x1CF30, 0x1CF46, 0x1E000, 0x1E006, 0x1E008, 0x1E018, 0x1E01B, 0x1E021,
            0x1E023, 0x1E024, 0x1E026, 0x1E02A, 0x1E08F, 0x1E08F, 0x1E130, 0x1E136, 0x1E2AE, 0x1E2AE,
            0x1E2EC, 0x1E2EF, 0x1E4EC, 0x1E4EF, 0x1E5EE, 0x1E5EF, 0x1E944, 0x1E94A,
    };

    /**
     * {@code is_chinese_char}: the CJK Unified Ideograph blocks (not Hangul, Hiragana or Katakana).
     * Note the Rust ranges start the fifth block at U+2B920 where Google's Python had U+2B820.
     */
    static boolean isChineseChar(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B920 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    /**
     * A regex {@code \w} character (Unicode: Alphabetic, marks, decimal digits, connector punctuation,
     * join controls), used by added tokens declared {@code single_word}.
     */
    static boolean isWordCharacter(int cp) {
        if (cp < 0x80) {
            return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') || cp == '_';
        }
        if (Character.isAlphabetic(cp) || cp == 0x200C || cp == 0x200D) {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK, Character.COMBINING_SPACING_MARK, Character.ENCLOSING_MARK,
                 Character.DECIMAL_DIGIT_NUMBER, Character.CONNECTOR_PUNCTUATION -> true;
            default -> false;
        };
    }
}
