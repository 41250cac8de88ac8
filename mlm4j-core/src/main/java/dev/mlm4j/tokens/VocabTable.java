package dev.mlm4j.tokens;

import java.util.Map;

/**
 * String → id, looked up straight from a char range with an optional prefix, so the WordPiece loop allocates no
 * candidate strings. Open addressing, linear probing; hashes are {@link String#hashCode()}-compatible.
 */
final class VocabTable {

    private final String[] keys;  // (capacity) null = empty slot
    private final int[] values;   // (capacity)
    private final int mask;
    private final int size;
    private final int maxKeyLength;  // UTF-16 length of the longest key

    VocabTable(Map<String, Integer> vocab) {
        int capacity = Integer.highestOneBit(Math.max(4, vocab.size() * 2 - 1)) << 1;
        keys = new String[capacity];
        values = new int[capacity];
        mask = capacity - 1;
        int longest = 0;
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            String k = e.getKey();
            int slot = spread(k.hashCode()) & mask;
            while (keys[slot] != null && !keys[slot].equals(k)) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = k;
            values[slot] = e.getValue();
            longest = Math.max(longest, k.length());
        }
        size = vocab.size();
        maxKeyLength = longest;
    }

    int size() {
        return size;
    }

    int maxKeyLength() {
        return maxKeyLength;
    }

    /** The id of {@code key}, or −1. */
    int get(String key) {
        int slot = spread(key.hashCode()) & mask;
        for (String k; (k = keys[slot]) != null; slot = (slot + 1) & mask) {
            if (k.equals(key)) {
                return values[slot];
            }
        }
        return -1;
    }

    /** The id of {@code prefix + chars[from, to)}, or −1. */
    int get(String prefix, char[] chars, int from, int to) {
        int h = 0;
        for (int i = 0; i < prefix.length(); i++) {
            h = 31 * h + prefix.charAt(i);
        }
        for (int i = from; i < to; i++) {
            h = 31 * h + chars[i];
        }
        int len = prefix.length() + to - from;
        int slot = spread(h) & mask;
        for (String k; (k = keys[slot]) != null; slot = (slot + 1) & mask) {
            if (k.length() == len && k.startsWith(prefix) && matches(k, prefix.length(), chars, from, to)) {
                return values[slot];
            }
        }
        return -1;
    }

    private static boolean matches(String k, int offset, char[] chars, int from, int to) {
        for (int i = from, j = offset; i < to; i++, j++) {
            if (k.charAt(j) != chars[i]) {
                return false;
            }
        }
        return true;
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }
}
