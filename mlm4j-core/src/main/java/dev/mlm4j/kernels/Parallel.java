package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The one place mlm4j goes parallel: splits {@code tasks} independent pieces of work over
 * {@code mlm4j.threads} threads (default: all cores). Pieces must not write to overlapping memory.
 *
 * <p>The calling thread works too: it and {@code threads() - 1} persistent daemon workers claim task
 * indices from one atomic counter, so a busy or slow core simply takes fewer pieces, and a call whose
 * pieces are all done before a worker wakes costs the caller nothing but the wake-up signal. After a
 * call a worker spins for {@code mlm4j.parallel.spinMicros} (default 100) before parking, which is
 * what makes back-to-back small calls (one per linear layer) cheap: a parked thread takes tens of
 * microseconds to wake, a spinning one well under one.
 *
 * <p>Calls nested inside a piece, calls made while another thread holds the workers, and a process's first calls
 * (while the JIT compiles the kernels, on a machine of two cores: {@code mlm4j.parallel.warmupCalls}) run their pieces
 * on the calling thread, in order.
 */
public final class Parallel {
    private Parallel() {}

    private static final int THREADS = Math.max(1, Integer.getInteger("mlm4j.threads", Runtime.getRuntime().availableProcessors()));
    private static final long SPIN_NANOS = Math.max(0, Long.getLong("mlm4j.parallel.spinMicros", 100)) * 1000;
    /** Held by the caller whose job the workers are serving. */
    private static final AtomicBoolean BUSY = new AtomicBoolean();
    private static final Worker[] WORKERS = startWorkers(THREADS - 1);
    /**
     * Calls still to run on the calling thread alone: a process's first forward pass (bert-base's is 62 calls, MiniLM's
     * 30) runs the kernels interpreted and then C1-compiled, before C2 has compiled them, and on a machine of two cores
     * a second compute thread then only takes CPU from the compilers: a cold {@code ./mlm4j fill-mask} on bert-base
     * spent 0.1–0.2 s more CPU and ran 2–4 % longer with it (docs/BENCHMARKS.md section 7, run 11). The pieces and their
     * results are the same whoever runs them. {@code -Dmlm4j.parallel.warmupCalls=N} sets it; 64 on two cores or
     * fewer, else 0 (more cores leave the compilers cores of their own; not measured here).
     * <p>Large work ends it: a warm-up call other than the first that runs longer than {@link #WARMUP_CALL_NANOS} on its
     * one thread is work a second thread pays for even before C2 (the first call is left out: it loads and starts
     * compiling the kernels, 70 ms on a 9-token bert-base fill-mask against at most ~11 for its others). Without this,
     * a first batch of bert-base embeddings (64 texts, 7,488 tokens) ran its first 64 calls, ~5 s, on one thread: 8.7
     * against 7.0 s for the whole command (docs/BENCHMARKS.md section 7, run 14).
     */
    private static final AtomicInteger WARMUP = new AtomicInteger(
            Integer.getInteger("mlm4j.parallel.warmupCalls", Runtime.getRuntime().availableProcessors() <= 2 ? 64 : 0));
    /** The warm-up's length when it was set: the call that takes this many is the first. */
    private static volatile int warmupStart = WARMUP.get();
    /** A warm-up call (not the first) running longer than this on one thread ends the warm-up. */
    static final long WARMUP_CALL_NANOS = 30_000_000L;

    /** Sets how many of the next calls run on the calling thread alone (tests and benchmarks; 0: none). */
    static void warmupCalls(int calls) {
        warmupStart = calls;
        WARMUP.set(calls);
    }

    /** Number of threads kernels spread work over. */
    public static int threads() {
        return THREADS;
    }

    /** Runs {@code body.accept(t)} for every t in [0, tasks), in parallel when worth it. */
    public static void forEach(int tasks, IntConsumer body) {
        if (tasks <= 0) return;
        boolean alone = WORKERS.length == 0 || tasks == 1 || Thread.currentThread() instanceof Worker;
        int warmup = !alone && WARMUP.get() > 0 ? WARMUP.getAndDecrement() : 0;
        if (alone || warmup > 0 || !BUSY.compareAndSet(false, true)) {
            long start = warmup > 0 ? System.nanoTime() : 0;
            for (int t = 0; t < tasks; t++) body.accept(t);
            if (warmup > 0 && warmup < warmupStart && System.nanoTime() - start > WARMUP_CALL_NANOS) WARMUP.set(0);
            return;
        }
        try {
            Job job = new Job(tasks, body, Thread.currentThread());
            int helpers = Math.min(WORKERS.length, tasks - 1);
            for (int w = 0; w < helpers; w++) WORKERS[w].offer(job);
            job.work();
            job.awaitDone();
            job.rethrow();
        } finally {
            BUSY.set(false);
        }
    }

    /** A piece of a range: the indices [from, to). */
    @FunctionalInterface
    public interface Range {
        void accept(int from, int to);
    }

    /**
     * Runs {@code body} over [0, n) cut into consecutive pieces of at least {@code grain} indices (a few per thread), in
     * parallel when there is more than one piece. For work whose result does not depend on the cut (element-wise, or
     * row by row): how many pieces there are depends on the thread count.
     */
    public static void forRange(int n, int grain, Range body) {
        if (n <= 0) return;
        int pieces = (int) Math.min(4L * THREADS, Math.max(1, n / Math.max(1, grain)));
        if (pieces <= 1) {
            body.accept(0, n);
            return;
        }
        long per = ((long) n + pieces - 1) / pieces;
        forEach(pieces, t -> body.accept((int) Math.min(n, t * per), (int) Math.min(n, (t + 1) * per)));
    }

    /** a[from, to) = 0, in parallel pieces for a large range (a training step's activation buffers). */
    public static void zero(float[] a, int from, int to) {
        forRange(to - from, 1 << 16, (i0, i1) -> java.util.Arrays.fill(a, from + i0, from + i1, 0f));
    }

    /**
     * A contiguous tensor (a whole one, or a slice of whole rows) filled with zeros by {@link #zero(float[], int, int)};
     * returns it: the training state's buffers and the gradients reused from step to step are handed out this way.
     */
    public static FloatTensor zeroed(FloatTensor t) {
        zero(t.data(), t.offset(), t.offset() + t.size());
        return t;
    }

    /** One call's pieces: claimed through {@code next}, counted in {@code done}. */
    private static final class Job {
        final int tasks;
        final IntConsumer body;
        final Thread caller;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable error;

        Job(int tasks, IntConsumer body, Thread caller) {
            this.tasks = tasks;
            this.body = body;
            this.caller = caller;
        }

        void work() {
            for (int t; (t = next.getAndIncrement()) < tasks; ) {
                try {
                    if (error == null) body.accept(t);
                } catch (Throwable e) {
                    if (error == null) error = e;
                } finally {
                    if (done.incrementAndGet() == tasks) LockSupport.unpark(caller);
                }
            }
        }

        void awaitDone() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (done.get() < tasks) {
                if (System.nanoTime() < spinUntil) Thread.onSpinWait();
                else LockSupport.parkNanos(this, 50_000);
            }
        }

        void rethrow() {
            Throwable e = error;
            if (e instanceof RuntimeException r) throw r;
            if (e instanceof Error r) throw r;
            if (e != null) throw new RuntimeException(e);
        }
    }

    private static Worker[] startWorkers(int n) {
        Worker[] ws = new Worker[n];
        for (int i = 0; i < n; i++) {
            ws[i] = new Worker(i + 1);
            ws[i].start();
        }
        return ws;
    }

    private static final class Worker extends Thread {
        private final AtomicReference<Job> mailbox = new AtomicReference<>();

        Worker(int id) {
            super("mlm4j-worker-" + id);
            setDaemon(true);
        }

        void offer(Job job) {
            mailbox.set(job);
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            long idleSince = System.nanoTime();
            while (true) {
                Job job = mailbox.getAndSet(null);
                if (job != null) {
                    job.work();
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}
