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
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        if (cp < 0x20) {
            return true;
        }
        if (cp < 0x7F) {
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
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                 Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** Category Mn, the marks accent stripping removes after NFD. */
    static boolean isNonSpacingMark(int cp) {
        return cp >= 0x300 && Character.getType(cp) == Character.NON_SPACING_MARK;
    }

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
