package dev.mlm4j.kernels;

/**
 * One float buffer per thread, grown to the largest size asked of it and never shrunk: a kernel's scratch, reused
 * across calls (a new array of that size every call would cost a zero-fill and, soon, a collection), and never shared
 * between two threads running kernels at once. Its contents are whatever the thread's last use left.
 */
public final class ThreadBuffer {
    private final ThreadLocal<float[][]> held = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    /** The calling thread's buffer, at least {@code size} floats. */
    public float[] get(int size) {
        float[][] h = held.get();
        if (h[0].length < size) {
            h[0] = null;                                   // let the smaller one go first
            h[0] = new float[size];
        }
        return h[0];
    }
}
