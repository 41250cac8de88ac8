package dev.mlm4j.pipelines;

import java.util.PriorityQueue;

/** The k largest entries of a row, without sorting the whole row (a bounded min-heap: O(n log k)). */
final class TopK {
    private TopK() {}

    /** Indices of the k largest values of {@code v[off, off + n)}, largest first (ties: lower index first). */
    static int[] indices(float[] v, int off, int n, int k) {
        k = Math.min(k, n);
        PriorityQueue<Integer> heap = new PriorityQueue<>(k + 1, (a, b) -> {
            int c = Float.compare(v[off + a], v[off + b]);
            return c != 0 ? c : Integer.compare(b, a);
        });
        for (int i = 0; i < n; i++) {
            if (heap.size() < k) {
                heap.add(i);
            } else if (v[off + i] > v[off + heap.peek()]) {
                heap.poll();
                heap.add(i);
            }
        }
        int[] out = new int[heap.size()];
        for (int i = out.length - 1; i >= 0; i--) out[i] = heap.poll();
        return out;
    }
}
