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
 * <p>
 * A batch is computed in slices of about {@code sliceTokens} tokens; before each slice the inputs of requests
 * nobody waits for any more (timed out, cancelled) are dropped, so a batch whose requests have all timed out
 * stops after the slice it is in instead of starving every later request.
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
    private final int sliceTokens;
    private final long maxWaitNanos;
    private final Runner<K, I, O> runner;
    private final Metrics metrics;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<Job<K, I, O>> queue = new ArrayDeque<>();
    private final Thread worker;
    private boolean closed;

    Batcher(String model, String task, int maxBatchTokens, long maxWaitMillis, Runner<K, I, O> runner, Metrics metrics) {
        this(model, task, maxBatchTokens, Math.max(512, maxBatchTokens / 4), maxWaitMillis, runner, metrics);
    }

    Batcher(String model, String task, int maxBatchTokens, int sliceTokens, long maxWaitMillis, Runner<K, I, O> runner, Metrics metrics) {
        if (maxBatchTokens < 1) throw new IllegalArgumentException("max batch tokens must be at least 1");
        if (sliceTokens < 1) throw new IllegalArgumentException("slice tokens must be at least 1");
        this.sliceTokens = sliceTokens;
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

    /** One input of a job in a running batch. */
    private record Part<K, I, O>(Job<K, I, O> job, int index, int tokens) {}

    private void run(List<Job<K, I, O>> batch) {
        long start = System.nanoTime();
        List<Part<K, I, O>> parts = new ArrayList<>();
        java.util.Map<Job<K, I, O>, Object[]> results = new java.util.IdentityHashMap<>();
        int items = 0, tokens = 0;
        for (Job<K, I, O> j : batch) {
            metrics.observe("mlm4j_queue_duration_seconds", (start - j.enqueued) / 1e9, "model", model, "task", task);
            int each = Math.max(1, j.tokens / Math.max(1, j.items.size()));    // per input, near enough for slicing
            for (int i = 0; i < j.items.size(); i++) parts.add(new Part<>(j, i, each));
            results.put(j, new Object[j.items.size()]);
        }
        K key = batch.getFirst().key;
        int next = 0;
        while (next < parts.size()) {
            List<Part<K, I, O>> slice = new ArrayList<>();
            int sliceSize = 0;
            for (; next < parts.size() && (slice.isEmpty() || sliceSize + parts.get(next).tokens() <= sliceTokens); next++) {
                Part<K, I, O> p = parts.get(next);
                if (p.job().result.isDone()) continue;     // timed out or cancelled: nobody waits for it
                slice.add(p);
                sliceSize += p.tokens();
            }
            if (slice.isEmpty()) break;
            runSlice(key, slice, results);
            items += slice.size();
            tokens += sliceSize;
        }
        if (items < parts.size()) metrics.inc("mlm4j_inputs_skipped_total", parts.size() - items, "model", model, "task", task);
        double seconds = (System.nanoTime() - start) / 1e9;
        metrics.observe("mlm4j_inference_duration_seconds", seconds, "model", model, "task", task);
        metrics.observe("mlm4j_batch_size", items, "model", model, "task", task);
        metrics.observe("mlm4j_batch_tokens", tokens, "model", model, "task", task);
        metrics.observe("mlm4j_batch_requests", batch.size(), "model", model, "task", task);
        metrics.inc("mlm4j_batches_total", 1, "model", model, "task", task);
        metrics.inc("mlm4j_inputs_total", items, "model", model, "task", task);
        metrics.inc("mlm4j_input_tokens_total", tokens, "model", model, "task", task);
    }

    /** Runs one slice; on failure reruns it job by job so one bad request cannot fail its neighbours. */
    @SuppressWarnings("unchecked")
    private void runSlice(K key, List<Part<K, I, O>> slice, java.util.Map<Job<K, I, O>, Object[]> results) {
        List<I> in = new ArrayList<>(slice.size());
        for (Part<K, I, O> p : slice) in.add(p.job().items.get(p.index()));
        try {
            List<O> out = runner.run(key, in);
            if (out.size() != in.size()) {
                throw new IllegalStateException("the pipeline returned " + out.size() + " results for " + in.size() + " inputs");
            }
            for (int i = 0; i < slice.size(); i++) results.get(slice.get(i).job())[slice.get(i).index()] = out.get(i);
        } catch (Throwable sliceFailure) {
            java.util.LinkedHashMap<Job<K, I, O>, List<Part<K, I, O>>> byJob = new java.util.LinkedHashMap<>();
            for (Part<K, I, O> p : slice) byJob.computeIfAbsent(p.job(), j -> new ArrayList<>()).add(p);
            if (byJob.size() == 1) {
                byJob.keySet().iterator().next().result.completeExceptionally(sliceFailure);
            } else {
                for (var e : byJob.entrySet()) {      // isolate the culprit: each request on its own
                    List<I> alone = new ArrayList<>();
                    for (Part<K, I, O> p : e.getValue()) alone.add(p.job().items.get(p.index()));
                    try {
                        List<O> out = runner.run(key, alone);
                        for (int i = 0; i < alone.size(); i++) results.get(e.getKey())[e.getValue().get(i).index()] = out.get(i);
                    } catch (Throwable failure) {
                        e.getKey().result.completeExceptionally(failure);
                    }
                }
            }
        }
        for (Part<K, I, O> p : slice) {     // complete every job whose last input this slice computed
            Job<K, I, O> j = p.job();
            if (j.result.isDone() || p.index() != j.items.size() - 1) continue;
            Object[] r = results.get(j);
            List<O> done = new ArrayList<>(r.length);
            for (Object o : r) done.add((O) o);
            j.result.complete(java.util.Collections.unmodifiableList(done));
        }
    }
}
