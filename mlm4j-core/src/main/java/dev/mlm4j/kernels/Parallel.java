package dev.mlm4j.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * The one place mlm4j goes parallel: splits {@code tasks} independent pieces of work over a pool of
 * {@code mlm4j.threads} threads (default: all cores). Pieces must not write to overlapping memory.
 */
public final class Parallel {
    private Parallel() {}

    private static final int THREADS = Integer.getInteger("mlm4j.threads", Runtime.getRuntime().availableProcessors());
    private static final ForkJoinPool POOL = THREADS > 1 ? new ForkJoinPool(THREADS) : null;

    /** Number of threads kernels spread work over. */
    public static int threads() {
        return THREADS;
    }

    /** Runs {@code body.accept(t)} for every t in [0, tasks), in parallel when worth it. */
    public static void forEach(int tasks, IntConsumer body) {
        if (POOL == null || tasks <= 1 || (Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread w && w.getPool() == POOL)) {
            for (int t = 0; t < tasks; t++) body.accept(t);
            return;
        }
        POOL.submit(() -> IntStream.range(0, tasks).parallel().forEach(body)).join();
    }
}
