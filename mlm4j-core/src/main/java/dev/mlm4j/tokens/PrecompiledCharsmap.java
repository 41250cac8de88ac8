package dev.mlm4j.tokens;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * SentencePiece's {@code precompiled_charsmap} (the {@code Precompiled} normalizer of a tokenizer.json): a
 * little-endian u32 trie size in bytes, a Darts-clone double-array trie over UTF-8 byte strings, then a blob of
 * NUL-terminated replacement strings that the trie's values index. Read as Hugging Face's {@code spm_precompiled}
 * crate reads it: {@link #transform} takes the <em>shortest</em> rule matching a prefix of the chunk.
 */
final class PrecompiledCharsmap {

    private final int[] units;     // the double array
    private final byte[] normalized;

    PrecompiledCharsmap(byte[] blob) {
        if (blob.length < 4) {
            throw new IllegalArgumentException("precompiled_charsmap is too short");
        }
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        int trieSize = b.getInt();
        if (trieSize < 4 || trieSize % 4 != 0 || 4L + trieSize > blob.length) {
            throw new IllegalArgumentException("precompiled_charsmap: trie size " + trieSize + " does not fit in "
                    + blob.length + " bytes");
        }
        units = new int[trieSize / 4];
        for (int i = 0; i < units.length; i++) {
            units[i] = b.getInt();
        }
        normalized = new byte[blob.length - 4 - trieSize];
        b.get(normalized);
    }

    static PrecompiledCharsmap fromBase64(String base64) {
        return new PrecompiledCharsmap(Base64.getDecoder().decode(base64));
    }

    /** The replacement of the shortest rule matching a prefix of {@code chunk}, or null when none does. */
    String transform(String chunk) {
        int index = firstPrefixValue(chunk.getBytes(StandardCharsets.UTF_8));
        if (index < 0 || index > normalized.length) {
            return null;
        }
        int end = index;
        while (end < normalized.length && normalized[end] != 0) {
            end++;
        }
        return new String(normalized, index, end - index, StandardCharsets.UTF_8);
    }

    /** Darts-clone's common prefix search, stopped at its first hit (or at a NUL byte); −1 when nothing matches. */
    int firstPrefixValue(byte[] key) {
        int node = 0;
        int unit = unit(node);
        node ^= offset(unit);
        for (byte kb : key) {
            int c = kb & 0xFF;
            if (c == 0) {
                return -1;
            }
            node ^= c;
            unit = unit(node);
            if (unit == Integer.MIN_VALUE || label(unit) != c) {
                return -1;
            }
            node ^= offset(unit);
            if (hasLeaf(unit)) {
                return value(unit(node));
            }
        }
        return -1;
    }

    private int unit(int node) {
        return node >= 0 && node < units.length ? units[node] : Integer.MIN_VALUE;
    }

    private static boolean hasLeaf(int unit) {
        return ((unit >>> 8) & 1) == 1;
    }

    private static int value(int unit) {
        return unit & 0x7FFFFFFF;
    }

    private static int label(int unit) {
        return unit & (0x80000000 | 0xFF);
    }

    private static int offset(int unit) {
        return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
    }

    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            i += Character.charCount(cp);
        }
        return n;
    }
}
