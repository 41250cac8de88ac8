package dev.mlm4j.tokens;

import java.util.Arrays;

/** A growable int array (no boxing on the tokenizing path). */
final class IntList {

    int[] a = new int[16];
    int size;

    void add(int v) {
        if (size == a.length) {
            a = Arrays.copyOf(a, size * 2);
        }
        a[size++] = v;
    }

    void add(int v, int w) {
        add(v);
        add(w);
    }

    void add(int u, int v, int w) {
        add(u);
        add(v);
        add(w);
    }

    int get(int i) {
        return a[i];
    }

    void clear() {
        size = 0;
    }
}
