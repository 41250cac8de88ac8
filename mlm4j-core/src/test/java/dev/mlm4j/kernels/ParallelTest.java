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
            assertEquals(2, ran.size(), "after the warm-up a worker takes a piece: " + ran);
        } finally {
            Parallel.warmupCalls(0);
        }
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
