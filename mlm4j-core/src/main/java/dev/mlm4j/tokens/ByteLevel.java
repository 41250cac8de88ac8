package dev.mlm4j.tokens;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** GPT-2's byte-level alphabet and word regex, shared by the ByteLevel pre-tokenizer, decoder and offset trimming. */
final class ByteLevel {

    private ByteLevel() {
    }

    /**
     * GPT-2's pre-tokenization regex, as Hugging Face compiles it (Unicode {@code \s}, {@code \p{L}}, {@code \p{N}}).
     */
    static final Pattern GPT2_WORDS = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    /** byte → the printable character standing for it (GPT-2's {@code bytes_to_unicode}). */
    static final int[] BYTE_CHARS = new int[256];
    private static final int[] CHAR_BYTES = new int[324];  // inverse, −1 where no byte maps

    static {
        java.util.Arrays.fill(CHAR_BYTES, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_CHARS[b] = printable ? b : 256 + n++;
            CHAR_BYTES[BYTE_CHARS[b]] = b;
        }
    }

    /** The space's stand-in, Ġ. */
    static final int SPACE = BYTE_CHARS[' '];

    /** The UTF-8 bytes of {@code cp} into {@code buf}; returns how many. */
    static int utf8(int cp, byte[] buf) {
        if (cp < 0x80) {
            buf[0] = (byte) cp;
            return 1;
        }
        if (cp < 0x800) {
            buf[0] = (byte) (0xC0 | cp >> 6);
            buf[1] = (byte) (0x80 | cp & 0x3F);
            return 2;
        }
        if (cp < 0x10000) {
            if (cp >= 0xD800 && cp <= 0xDFFF) {  // a lone surrogate: Rust strings cannot hold one; U+FFFD's bytes
                return utf8(0xFFFD, buf);
            }
            buf[0] = (byte) (0xE0 | cp >> 12);
            buf[1] = (byte) (0x80 | cp >> 6 & 0x3F);
            buf[2] = (byte) (0x80 | cp & 0x3F);
            return 3;
        }
        buf[0] = (byte) (0xF0 | cp >> 18);
        buf[1] = (byte) (0x80 | cp >> 12 & 0x3F);
        buf[2] = (byte) (0x80 | cp >> 6 & 0x3F);
        buf[3] = (byte) (0x80 | cp & 0x3F);
        return 4;
    }

    /** The ByteLevel decoder: stand-in characters back to bytes, decoded as UTF-8 (invalid bytes become U+FFFD). */
    static String decode(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        byte[] buf = new byte[4];
        text.codePoints().forEach(cp -> {
            int b = cp < CHAR_BYTES.length ? CHAR_BYTES[cp] : -1;
            if (b >= 0) {
                bytes.write(b);
            } else {
                bytes.write(buf, 0, utf8(cp, buf));
            }
        });
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
