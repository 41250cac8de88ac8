package dev.mlm4j.server;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Counters, gauges and histograms in Prometheus' text exposition format (version 0.0.4), written by hand:
 * a handful of series does not need a metrics library. Series are created on first use and never removed
 * (labels come from a fixed set: route names, model names, status codes).
 */
final class Metrics {

    /** Seconds: 1 ms … 60 s. */
    static final double[] TIME_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    /** Sequences per batch. */
    static final double[] SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
    /** Tokens per batch or per input. */
    static final double[] TOKEN_BUCKETS = {8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768};

    private record Family(String name, String type, String help, double[] buckets) {}

    private final Map<String, Family> families = new ConcurrentHashMap<>();
    private final Map<String, Map<String, LongAdder>> counters = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Histogram>> histograms = new ConcurrentHashMap<>();
    private final Map<String, LongSupplier> gauges = new ConcurrentHashMap<>();

    Metrics() {
        counter("mlm4j_requests_total", "HTTP requests answered, by route and status code");
        counter("mlm4j_input_tokens_total", "Tokens computed by the model (special tokens included), by model and task");
        counter("mlm4j_inputs_total", "Input sequences computed, by model and task");
        counter("mlm4j_batches_total", "Batches run, by model and task");
        counter("mlm4j_rejected_total", "Requests refused before computing, by reason: requests (--max-concurrent-requests full),"
                + " tokens (--max-admitted-tokens full), reply_memory (replies being built fill 4 × --max-reply-bytes),"
                + " reply_size (one reply over --max-reply-bytes), body_timeout (body slower than --body-read-timeout-ms)");
        counter("mlm4j_inputs_skipped_total", "Inputs of a running batch dropped because their request had timed out, by model and task");
        histogram("mlm4j_request_duration_seconds", "Time from request to response, by route", TIME_BUCKETS);
        histogram("mlm4j_queue_duration_seconds", "Time a request waited for its batch to start, by model and task", TIME_BUCKETS);
        histogram("mlm4j_inference_duration_seconds", "Time to compute one batch, by model and task", TIME_BUCKETS);
        histogram("mlm4j_batch_size", "Sequences in one batch, by model and task", SIZE_BUCKETS);
        histogram("mlm4j_batch_tokens", "Tokens in one batch, by model and task", TOKEN_BUCKETS);
        histogram("mlm4j_batch_requests", "Requests sharing one batch, by model and task", SIZE_BUCKETS);
    }

    private void counter(String name, String help) {
        families.put(name, new Family(name, "counter", help, null));
        counters.put(name, new ConcurrentHashMap<>());
    }

    private void histogram(String name, String help, double[] buckets) {
        families.put(name, new Family(name, "histogram", help, buckets));
        histograms.put(name, new ConcurrentHashMap<>());
    }

    /** A gauge read when /metrics is scraped. */
    void gauge(String name, String help, LongSupplier value) {
        families.put(name, new Family(name, "gauge", help, null));
        gauges.put(name, value);
    }

    void inc(String name, long by, String... labels) {
        counters.get(name).computeIfAbsent(labels(labels), k -> new LongAdder()).add(by);
    }

    void observe(String name, double value, String... labels) {
        Family f = families.get(name);
        histograms.get(name).computeIfAbsent(labels(labels), k -> new Histogram(f.buckets())).observe(value);
    }

    /** The current value of a counter series (for tests and /info). */
    long count(String name, String... labels) {
        LongAdder a = counters.get(name).get(labels(labels));
        return a == null ? 0 : a.sum();
    }

    /** The number of observations in a histogram series. */
    long observations(String name, String... labels) {
        Histogram h = histograms.get(name).get(labels(labels));
        return h == null ? 0 : h.count.get();
    }

    /** The mean of a histogram series' observations (0 if none). */
    double mean(String name, String... labels) {
        Histogram h = histograms.get(name).get(labels(labels));
        if (h == null) return 0;
        synchronized (h) {
            return h.count.get() == 0 ? 0 : h.sum / h.count.get();
        }
    }

    /** Label pairs {@code k1, v1, k2, v2, …} → {@code {k1="v1",k2="v2"}}. */
    private static String labels(String... kv) {
        if (kv.length == 0) return "";
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < kv.length; i += 2) {
            if (i > 0) sb.append(',');
            sb.append(kv[i]).append("=\"").append(escape(kv[i + 1])).append('"');
        }
        return sb.append('}').toString();
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** The exposition text. */
    String scrape() {
        StringBuilder sb = new StringBuilder(4096);
        for (Family f : new TreeMap<>(families).values()) {
            sb.append("# HELP ").append(f.name()).append(' ').append(f.help()).append('\n');
            sb.append("# TYPE ").append(f.name()).append(' ').append(f.type()).append('\n');
            switch (f.type()) {
                case "counter" -> new TreeMap<>(counters.get(f.name())).forEach((l, v) ->
                        sb.append(f.name()).append(l).append(' ').append(v.sum()).append('\n'));
                case "gauge" -> sb.append(f.name()).append(' ').append(gauges.get(f.name()).getAsLong()).append('\n');
                default -> new TreeMap<>(histograms.get(f.name())).forEach((l, h) -> h.write(sb, f.name(), l));
            }
        }
        return sb.toString();
    }

    /** Cumulative buckets, sum and count; one small lock so a scrape sees a consistent set. */
    private static final class Histogram {
        final double[] bounds;
        final long[] buckets;
        double sum;
        final AtomicLong count = new AtomicLong();

        Histogram(double[] bounds) {
            this.bounds = bounds;
            this.buckets = new long[bounds.length];
        }

        synchronized void observe(double v) {
            for (int i = 0; i < bounds.length; i++) {
                if (v <= bounds[i]) {
                    buckets[i]++;
                    break;
                }
            }
            sum += v;
            count.incrementAndGet();
        }

        synchronized void write(StringBuilder sb, String name, String labels) {
            String inner = labels.isEmpty() ? "" : labels.substring(1, labels.length() - 1) + ",";
            long cumulative = 0;
            for (int i = 0; i < bounds.length; i++) {
                cumulative += buckets[i];
                sb.append(name).append("_bucket{").append(inner).append("le=\"").append(number(bounds[i])).append("\"} ")
                        .append(cumulative).append('\n');
            }
            long n = count.get();
            sb.append(name).append("_bucket{").append(inner).append("le=\"+Inf\"} ").append(n).append('\n');
            sb.append(name).append("_sum").append(labels).append(' ').append(number(sum)).append('\n');
            sb.append(name).append("_count").append(labels).append(' ').append(n).append('\n');
        }

        private static String number(double d) {
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : String.format(Locale.ROOT, "%s", d);
        }
    }
}
