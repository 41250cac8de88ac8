package dev.mlm4j.server;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The batcher with a stand-in pipeline that records the batches it is given. */
class BatcherTest {

    /** Upper-cases its inputs; the first batch waits for {@code gate}, so later requests pile up behind it. */
    static final class Recorder implements Batcher.Runner<String, String, String> {
        final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch gate;

        Recorder(CountDownLatch gate) {
            this.gate = gate;
        }

        @Override
        public List<String> run(String key, List<String> items) throws Exception {
            batches.add(List.copyOf(items));
            started.countDown();
            gate.await(30, TimeUnit.SECONDS);
            if (items.contains("bad")) throw new IllegalArgumentException("bad input");
            return items.stream().map(s -> key + ":" + s.toUpperCase()).toList();
        }
    }

    @Test
    void requestsThatArriveWhileTheModelIsBusyShareTheNextBatch() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Recorder r = new Recorder(gate);
        try (Batcher<String, String, String> b = new Batcher<>("m", "t", 100, 0, r, new Metrics())) {
            CompletableFuture<List<String>> first = b.submit("k", List.of("a"), 1);
            assertTrue(r.started.await(30, TimeUnit.SECONDS));
            CompletableFuture<List<String>> x = b.submit("k", List.of("b", "c"), 2);
            CompletableFuture<List<String>> other = b.submit("other", List.of("d"), 1);
            CompletableFuture<List<String>> y = b.submit("k", List.of("e"), 1);
            gate.countDown();
            assertEquals(List.of("k:A"), first.get(30, TimeUnit.SECONDS));
            assertEquals(List.of("k:B", "k:C"), x.get(30, TimeUnit.SECONDS));
            assertEquals(List.of("k:E"), y.get(30, TimeUnit.SECONDS));
            assertEquals(List.of("other:D"), other.get(30, TimeUnit.SECONDS));
            // a, then b c e together (same key, fits), then d on its own (different key)
            assertEquals(List.of(List.of("a"), List.of("b", "c", "e"), List.of("d")), r.batches);
        }
    }

    @Test
    void theTokenBudgetSplitsBatches() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Recorder r = new Recorder(gate);
        try (Batcher<String, String, String> b = new Batcher<>("m", "t", 10, 0, r, new Metrics())) {
            b.submit("k", List.of("a"), 1);
            assertTrue(r.started.await(30, TimeUnit.SECONDS));
            var p = b.submit("k", List.of("p"), 6);
            var q = b.submit("k", List.of("q"), 6);     // 6 + 6 > 10: next batch
            var s = b.submit("k", List.of("s"), 4);     // 6 + 4 fits with p
            gate.countDown();
            p.get(30, TimeUnit.SECONDS);
            q.get(30, TimeUnit.SECONDS);
            s.get(30, TimeUnit.SECONDS);
            assertEquals(List.of(List.of("a"), List.of("p", "s"), List.of("q")), r.batches);
        }
    }

    @Test
    void aFailingRequestDoesNotFailItsBatchNeighbours() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Recorder r = new Recorder(gate);
        try (Batcher<String, String, String> b = new Batcher<>("m", "t", 100, 0, r, new Metrics())) {
            b.submit("k", List.of("a"), 1);
            assertTrue(r.started.await(30, TimeUnit.SECONDS));
            var good = b.submit("k", List.of("g"), 1);
            var bad = b.submit("k", List.of("bad"), 1);
            gate.countDown();
            assertEquals(List.of("k:G"), good.get(30, TimeUnit.SECONDS));
            ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(30, TimeUnit.SECONDS));
            assertInstanceOf(IllegalArgumentException.class, e.getCause());
        }
    }

    @Test
    void aCancelledRequestIsNeverComputed() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Recorder r = new Recorder(gate);
        try (Batcher<String, String, String> b = new Batcher<>("m", "t", 100, 0, r, new Metrics())) {
            b.submit("k", List.of("a"), 1);
            assertTrue(r.started.await(30, TimeUnit.SECONDS));
            var gone = b.submit("k", List.of("gone"), 1);
            var kept = b.submit("k", List.of("kept"), 1);
            gone.cancel(false);
            gate.countDown();
            kept.get(30, TimeUnit.SECONDS);
            assertEquals(List.of(List.of("a"), List.of("kept")), r.batches);
        }
    }

    @Test
    void aBatchWhoseRequestsHaveAllTimedOutStopsAfterTheSliceItIsIn() throws Exception {
        // Issue 14 item 8: 32 inputs whose requests had timed out kept a batch running for minutes, starving
        // every later request. Slices of 2 tokens (one input each here): the batch stops after the running slice.
        CountDownLatch gate = new CountDownLatch(1);
        Recorder r = new Recorder(gate);
        Metrics metrics = new Metrics();
        try (Batcher<String, String, String> b = new Batcher<>("m", "t", 100, 2, 0, r, metrics)) {
            List<String> many = List.of("a", "b", "c", "d", "e", "f", "g", "h");
            var abandoned = b.submit("k", many, 16);
            assertTrue(r.started.await(30, TimeUnit.SECONDS));
            abandoned.cancel(false);                // what MlmServer.await does at the request's deadline
            gate.countDown();
            var later = b.submit("k", List.of("z"), 1);
            assertEquals(List.of("k:Z"), later.get(30, TimeUnit.SECONDS));
            assertEquals(List.of(List.of("a"), List.of("z")), r.batches, "only the slice already running was computed");
            assertEquals(7, metrics.count("mlm4j_inputs_skipped_total", "model", "m", "task", "t"));
        }
    }

    @Test
    void slicesOfOneBatchGiveEachRequestItsOwnResultsInOrder() throws Exception {
        Recorder r = new Recorder(new CountDownLatch(0));
        try (Batcher<String, String, String> b = new Batcher<>("m", "t", 100, 3, 60_000, r, new Metrics())) {
            var x = b.submit("k", List.of("a", "b", "c", "d"), 4);
            var y = b.submit("k", List.of("e", "f"), 2);
            var z = b.submit("k", List.of("g"), 94);      // fills the budget: no need to wait out the bound
            assertEquals(List.of("k:A", "k:B", "k:C", "k:D"), x.get(30, TimeUnit.SECONDS));
            assertEquals(List.of("k:E", "k:F"), y.get(30, TimeUnit.SECONDS));
            assertEquals(List.of("k:G"), z.get(30, TimeUnit.SECONDS));
            assertEquals(List.of(List.of("a", "b", "c"), List.of("d", "e", "f"), List.of("g")), r.batches);
        }
    }

    @Test
    void closeFinishesWhatIsQueuedThenRefusesMore() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Recorder r = new Recorder(gate);
        Batcher<String, String, String> b = new Batcher<>("m", "t", 100, 0, r, new Metrics());
        var a = b.submit("k", List.of("a"), 1);
        assertTrue(r.started.await(30, TimeUnit.SECONDS));
        var queued = b.submit("k", List.of("q"), 1);
        Thread closer = Thread.ofVirtual().start(() -> {
            try {
                b.close(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        gate.countDown();
        closer.join();
        assertEquals(List.of("k:A"), a.get(1, TimeUnit.SECONDS));
        assertEquals(List.of("k:Q"), queued.get(1, TimeUnit.SECONDS));
        ApiError refused = assertThrows(ApiError.class, () -> b.submit("k", List.of("late"), 1));
        assertEquals(503, refused.status);
    }

    @Test
    void anIdleWorkerWaitsUpToTheBoundForCompanions() throws Exception {
        // With a generous wait bound, requests submitted back to back while the worker is idle share a batch.
        Recorder r = new Recorder(new CountDownLatch(0));
        try (Batcher<String, String, String> b = new Batcher<>("m", "t", 3, 60_000, r, new Metrics())) {
            var one = b.submit("k", List.of("1"), 1);
            var two = b.submit("k", List.of("2"), 1);
            var three = b.submit("k", List.of("3"), 1);   // the budget (3) is full: no need to wait out the bound
            one.get(30, TimeUnit.SECONDS);
            two.get(30, TimeUnit.SECONDS);
            three.get(30, TimeUnit.SECONDS);
            assertEquals(List.of(List.of("1", "2", "3")), r.batches);
        }
    }
}
