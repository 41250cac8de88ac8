package dev.mlm4j.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Dynamic batching for one model and one task. Requests wait in a queue; one worker thread takes the
 * oldest, adds every waiting request with the same key (the options that change the computation) while
 * the batch stays within {@code maxBatchTokens}, waits up to {@code maxWait} for more if there is room,
 * then runs all their texts through <em>one</em> pipeline call. The engine packs sequences end to end
 * without padding and attends within each sequence only, so a request's result does not depend on what
 * it was batched with. While the worker computes, new requests queue up and form the next batch.
 * <p>
 * A batch that fails is rerun request by request, so one bad request cannot fail its neighbours.
 *
 * @param <K> batch key: only requests with equal keys share a batch
 * @param <I> one input (a text)
 * @param <O> the result for one input
 */
final class Batcher<K, I, O> implements AutoCloseable {

    /** Computes the results of {@code items}, in order, in one call. */
    @FunctionalInterface
    interface Runner<K, I, O> {
        List<O> run(K key, List<I> items) throws Exception;
    }

    private static final class Job<K, I, O> {
        final K key;
        final List<I> items;
        final int tokens;
        final long enqueued = System.nanoTime();
        final CompletableFuture<List<O>> result = new CompletableFuture<>();

        Job(K key, List<I> items, int tokens) {
            this.key = key;
            this.items = items;
            this.tokens = tokens;
        }
    }

    private final String model;
    private final String task;
    private final int maxBatchTokens;
    private final long maxWaitNanos;
    private final Runner<K, I, O> runner;
    private final Metrics metrics;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<Job<K, I, O>> queue = new ArrayDeque<>();
    private final Thread worker;
    private boolean closed;

    Batcher(String model, String task, int maxBatchTokens, long maxWaitMillis, Runner<K, I, O> runner, Metrics metrics) {
        if (maxBatchTokens < 1) throw new IllegalArgumentException("max batch tokens must be at least 1");
        this.model = model;
        this.task = task;
        this.maxBatchTokens = maxBatchTokens;
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, maxWaitMillis));
        this.runner = runner;
        this.metrics = metrics;
        this.worker = Thread.ofPlatform().name("mlm4j-batch-" + model + "-" + task).daemon().unstarted(this::work);
        this.worker.start();
    }

    /**
     * Queues {@code items} (costing {@code tokens}) for a batch. The future completes with one result per
     * item, or exceptionally with what the pipeline threw for this request. Cancelling it before its
     * batch starts takes it out of the queue.
     */
    CompletableFuture<List<O>> submit(K key, List<I> items, int tokens) {
        Job<K, I, O> job = new Job<>(key, List.copyOf(items), tokens);
        lock.lock();
        try {
            if (closed) throw ApiError.unavailable("the server is shutting down");
            queue.addLast(job);
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        return job.result;
    }

    /** Requests waiting for a batch (not counting the one running). */
    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Stops taking requests; the worker finishes what is queued, then ends. Waits up to {@code millis}. */
    void close(long millis) throws InterruptedException {
        lock.lock();
        try {
            closed = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        worker.join(Math.max(1, millis));
    }

    @Override
    public void close() throws InterruptedException {
        close(60_000);
    }

    private void work() {
        while (true) {
            List<Job<K, I, O>> batch;
            try {
                batch = next();
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) return;
            run(batch);
        }
    }

    /** The next batch: the oldest live request plus compatible ones that fit; null once closed and drained. */
    private List<Job<K, I, O>> next() throws InterruptedException {
        lock.lock();
        try {
            Job<K, I, O> head;
            while ((head = pollLive()) == null) {
                if (closed) return null;
                arrived.await();
            }
            List<Job<K, I, O>> batch = new ArrayList<>();
            batch.add(head);
            int tokens = head.tokens;
            long deadline = System.nanoTime() + maxWaitNanos;
            while (true) {
                for (Iterator<Job<K, I, O>> it = queue.iterator(); it.hasNext() && tokens < maxBatchTokens; ) {
                    Job<K, I, O> j = it.next();
                    if (j.result.isDone()) {
                        it.remove();
                    } else if (j.key.equals(head.key) && tokens + j.tokens <= maxBatchTokens) {
                        batch.add(j);
                        tokens += j.tokens;
                        it.remove();
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || tokens >= maxBatchTokens || closed) break;
                arrived.awaitNanos(left);
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private Job<K, I, O> pollLive() {
        Job<K, I, O> j;
        while ((j = queue.pollFirst()) != null) {
            if (!j.result.isDone()) return j;
        }
        return null;
    }

    private void run(List<Job<K, I, O>> batch) {
        long start = System.nanoTime();
        List<I> items = new ArrayList<>();
        int tokens = 0;
        for (Job<K, I, O> j : batch) {
            metrics.observe("mlm4j_queue_duration_seconds", (start - j.enqueued) / 1e9, "model", model, "task", task);
            items.addAll(j.items);
            tokens += j.tokens;
        }
        K key = batch.getFirst().key;
        try {
            List<O> out = runner.run(key, items);
            if (out.size() != items.size()) {
                throw new IllegalStateException("the pipeline returned " + out.size() + " results for " + items.size() + " inputs");
            }
            int from = 0;
            for (Job<K, I, O> j : batch) {
                j.result.complete(List.copyOf(out.subList(from, from + j.items.size())));
                from += j.items.size();
            }
        } catch (Throwable batchFailure) {
            if (batch.size() == 1) {
                batch.getFirst().result.completeExceptionally(batchFailure);
            } else {
                for (Job<K, I, O> j : batch) {   // isolate the culprit: each request on its own
                    try {
                        j.result.complete(List.copyOf(runner.run(key, j.items)));
                    } catch (Throwable alone) {
                        j.result.completeExceptionally(alone);
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        metrics.observe("mlm4j_inference_duration_seconds", seconds, "model", model, "task", task);
        metrics.observe("mlm4j_batch_size", items.size(), "model", model, "task", task);
        metrics.observe("mlm4j_batch_tokens", tokens, "model", model, "task", task);
        metrics.observe("mlm4j_batch_requests", batch.size(), "model", model, "task", task);
        metrics.inc("mlm4j_batches_total", 1, "model", model, "task", task);
        metrics.inc("mlm4j_inputs_total", items.size(), "model", model, "task", task);
        metrics.inc("mlm4j_input_tokens_total", tokens, "model", model, "task", task);
    }
}
