package dev.mlm4j.server;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A closed-loop load generator against loopback: {@code clients} virtual threads each send one request,
 * wait for the answer, and send the next, for a bounded time. A 429 makes that client back off for a short
 * while (as a client honouring Retry-After would, but shorter, to keep the pressure on). Counts every status,
 * every transport failure, and the latency of every 200.
 */
final class LoadGenerator {

    record Result(String name, int clients, int bound, double seconds, long ok, long busy, Map<Integer, Long> otherStatus,
                  long transportErrors, double p50Millis, double p99Millis, double maxMillis, long inputsPerRequest,
                  long heapBeforeMb, long heapAfterMb, long heapPeakMb, double batchRequests, double batchTokens, double loadAverage) {

        Result withBatches(double requests, double tokens) {
            return new Result(name, clients, bound, seconds, ok, busy, otherStatus, transportErrors, p50Millis, p99Millis,
                    maxMillis, inputsPerRequest, heapBeforeMb, heapAfterMb, heapPeakMb, requests, tokens, loadAverage);
        }

        long requests() {
            return ok + busy + otherStatus.values().stream().mapToLong(Long::longValue).sum() + transportErrors;
        }

        long failures() {
            return otherStatus.values().stream().mapToLong(Long::longValue).sum() + transportErrors;
        }

        double throughput() {
            return ok / seconds;
        }

        String row() {
            return String.format(Locale.ROOT, "| %s | %d | %d | %.0f s | %d | %d | %d | %d | %.1f req/s (%.0f inputs/s) | %.0f ms | %.0f ms | %.1f requests, %.0f tokens | %d → %d MB (peak %d) | %.1f |",
                    name, clients, bound, seconds, requests(), ok, busy, failures(), throughput(), throughput() * inputsPerRequest,
                    p50Millis, p99Millis, batchRequests, batchTokens, heapBeforeMb, heapAfterMb, heapPeakMb, loadAverage);
        }
    }

    static final String HEADER = "| scenario | clients | --max-concurrent-requests | duration | requests | 200 | 429 | other failures | throughput (200s) | p50 | p99 | mean batch | heap after GC, before → after | machine load (1 min) |\n"
            + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";

    private LoadGenerator() {}

    static Result run(String name, String url, byte[] body, int clients, int bound, Duration duration, long inputsPerRequest,
                      long backoffMillis) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        LongAdder ok = new LongAdder(), busy = new LongAdder(), transport = new LongAdder();
        Map<Integer, LongAdder> other = new ConcurrentHashMap<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicLong peak = new AtomicLong();
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long before = usedAfterGc(mem);

        long end = System.nanoTime() + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofVirtual().name("load-" + c).start(() -> {
                List<Long> mine = new ArrayList<>();
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        long t = System.nanoTime() - t0;
                        if (r.statusCode() == 200) {
                            ok.increment();
                            mine.add(t);
                        } else if (r.statusCode() == 429) {
                            busy.increment();
                            Thread.sleep(backoffMillis);
                        } else {
                            other.computeIfAbsent(r.statusCode(), k -> new LongAdder()).increment();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (Exception e) {
                        transport.increment();
                    }
                }
                latencies.addAll(mine);
            }));
        }
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long start = System.nanoTime();
        for (Thread t : threads) t.join();
        double seconds = (System.nanoTime() - start) / 1e9;
        sampler.interrupt();
        long after = usedAfterGc(mem);

        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        Map<Integer, Long> others = new TreeMap<>();
        other.forEach((k, v) -> others.put(k, v.sum()));
        return new Result(name, clients, bound, seconds, ok.sum(), busy.sum(), others, transport.sum(),
                percentile(sorted, 0.50), percentile(sorted, 0.99), sorted.isEmpty() ? 0 : sorted.getLast() / 1e6,
                inputsPerRequest, before >> 20, after >> 20, peak.get() >> 20, 0, 0,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    static double percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) return 0;
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
    }

    private static long usedAfterGc(MemoryMXBean mem) {
        System.gc();
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return mem.getHeapMemoryUsage().getUsed();
    }
}
