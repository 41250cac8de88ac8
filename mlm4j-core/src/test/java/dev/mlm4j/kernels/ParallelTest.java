package dev.mlm4j.kernels;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ParallelTest {

    @Test
    void everyTaskRunsExactlyOnce() {
        for (int tasks : new int[] {0, 1, 2, 3, 8, 1000}) {
            for (int round = 0; round < 50; round++) {
                AtomicIntegerArray seen = new AtomicIntegerArray(Math.max(1, tasks));
                Parallel.forEach(tasks, t -> seen.incrementAndGet(t));
                for (int t = 0; t < tasks; t++) assertEquals(1, seen.get(t), "task " + t + " of " + tasks);
            }
        }
    }

    @Test
    void parkedWorkersWakeForTheNextCall() throws InterruptedException {
        for (int round = 0; round < 5; round++) {
            Thread.sleep(3);                          // longer than the workers spin: they park
            AtomicIntegerArray seen = new AtomicIntegerArray(64);
            Parallel.forEach(64, t -> {
                seen.incrementAndGet(t);
                for (long spin = System.nanoTime() + 20_000; System.nanoTime() < spin; ) Thread.onSpinWait();
            });
            for (int t = 0; t < 64; t++) assertEquals(1, seen.get(t), "task " + t + " after a pause");
        }
    }

    @Test
    void warmupCallsRunOnTheCallerAloneThenTheWorkersJoin() throws InterruptedException {
        assumeTrue(Parallel.threads() > 1, "one thread: there are no workers to join");
        Thread caller = Thread.currentThread();
        try {
            Parallel.warmupCalls(3);
            for (int call = 0; call < 3; call++) {
                Set<Thread> ran = ConcurrentHashMap.newKeySet();
                AtomicInteger n = new AtomicInteger();
                Parallel.forEach(16, t -> {
                    ran.add(Thread.currentThread());
                    n.incrementAndGet();
                });
                assertEquals(Set.of(caller), ran, "warm-up call " + call);
                assertEquals(16, n.get());
            }
            // the fourth call is shared: each piece waits (up to 10 s) until a second thread has taken one
            Set<Thread> ran = sharedCall();
            assertEquals(2, ran.size(), "after the warm-up a worker takes a piece: " + ran);
        } finally {
            Parallel.warmupCalls(0);
        }
    }

    /** A warm-up call other than the first that runs longer than the limit ends the warm-up; a short one does not. */
    @Test
    void aLongWarmupCallEndsTheWarmup() {
        assumeTrue(Parallel.threads() > 1, "one thread: there are no workers to join");
        Thread caller = Thread.currentThread();
        long longer = Parallel.WARMUP_CALL_NANOS + 10_000_000L;
        try {
            Parallel.warmupCalls(10);
            assertEquals(Set.of(caller), runOn(2, longer), "the first call, long: the caller alone");
            assertEquals(Set.of(caller), runOn(2, 0), "the warm-up goes on after a long first call");
            assertEquals(Set.of(caller), runOn(2, longer), "a long second call still runs on the caller alone");
            assertEquals(2, sharedCall().size(), "and ends the warm-up: the next call is shared, 7 warm-up calls early");
        } finally {
            Parallel.warmupCalls(0);
        }
    }

    /** The threads that ran a call of {@code tasks} pieces taking {@code nanos} in all (spun on the first piece). */
    private static Set<Thread> runOn(int tasks, long nanos) {
        Set<Thread> ran = ConcurrentHashMap.newKeySet();
        Parallel.forEach(tasks, t -> {
            ran.add(Thread.currentThread());
            if (t == 0) for (long end = System.nanoTime() + nanos; System.nanoTime() < end; ) Thread.onSpinWait();
        });
        return ran;
    }

    /** The threads of a two-piece call whose pieces each wait (up to 10 s) until both have started. */
    private static Set<Thread> sharedCall() {
        Set<Thread> ran = ConcurrentHashMap.newKeySet();
        CountDownLatch two = new CountDownLatch(2);
        Parallel.forEach(2, t -> {
            ran.add(Thread.currentThread());
            two.countDown();
            try {
                two.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return ran;
    }

    @Test
    void exceptionsReachTheCaller() {
        var ex = assertThrows(IllegalStateException.class, () -> Parallel.forEach(16, t -> {
            if (t == 11) throw new IllegalStateException("task 11 failed");
        }));
        assertEquals("task 11 failed", ex.getMessage());
        // and the pool still works afterwards
        AtomicInteger n = new AtomicInteger();
        Parallel.forEach(16, t -> n.incrementAndGet());
        assertEquals(16, n.get());
    }

    @Test
    void nestedAndConcurrentCallsComplete() throws Exception {
        AtomicInteger n = new AtomicInteger();
        Parallel.forEach(4, t -> Parallel.forEach(5, u -> n.incrementAndGet()));
        assertEquals(20, n.get());
        AtomicInteger m = new AtomicInteger();
        Thread[] callers = new Thread[4];
        for (int c = 0; c < callers.length; c++) {
            callers[c] = new Thread(() -> {
                for (int i = 0; i < 200; i++) Parallel.forEach(7, t -> m.incrementAndGet());
            });
            callers[c].start();
        }
        for (Thread c : callers) c.join();
        assertEquals(4 * 200 * 7, m.get());
    }
}
