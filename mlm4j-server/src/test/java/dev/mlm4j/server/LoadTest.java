package dev.mlm4j.server;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bounded load against loopback: 32 clients on /embed (all-MiniLM-L6-v2) below the queue bound, then 4× over
 * it. Asserts no failure below the bound and nothing but 200s and 429s over it, with the server still healthy.
 * The build runs it briefly ({@code mlm4j.load.seconds}, default 4 s per scenario); {@code scripts/load-test-server}
 * runs it for 20 s and writes the numbers to {@code docs/BENCHMARKS-server.md} ({@code mlm4j.load.report}).
 * No timing is asserted: throughput and latency are reported, never checked.
 */
@Tag("load")
class LoadTest {

    static final int CLIENTS = Integer.getInteger("mlm4j.load.clients", 32);
    static final int SECONDS = Integer.getInteger("mlm4j.load.seconds", 4);
    static final String TEXT = "A man is playing a guitar on a quiet street while people walk past.";

    @Test
    void belowTheBoundNothingFailsAndFourTimesOverOnlyGets429() throws Exception {
        ServedModel mini = TestServers.miniLm();
        byte[] one = Http.JSON.writeValueAsBytes(Map.of("inputs", TEXT));
        byte[] eight = Http.JSON.writeValueAsBytes(Map.of("inputs", java.util.Collections.nCopies(8, TEXT)));
        Duration d = Duration.ofSeconds(SECONDS);
        List<LoadGenerator.Result> results = new ArrayList<>();

        int roomy = 2 * CLIENTS, tight = CLIENTS / 4;
        for (int perRequest : new int[] {1, 8}) {
            try (MlmServer s = TestServers.start(TestServers.options().withMaxConcurrentRequests(roomy), mini)) {
                warmUp(s);
                LoadGenerator.Result r = batches(s, LoadGenerator.run("/embed, " + perRequest + " text" + (perRequest > 1 ? "s" : "")
                        + " per request, below the bound", s.baseUrl() + "/embed", perRequest == 1 ? one : eight, CLIENTS, roomy, d, perRequest, 50));
                results.add(r);
                assertEquals(0, r.failures(), r.row());
                assertEquals(0, r.busy(), "below the bound nobody is turned away: " + r.row());
                assertTrue(r.ok() > 0, r.row());
                assertEquals(200, new Http(s.baseUrl()).get("/health").status());
            }
        }
        try (MlmServer s = TestServers.start(TestServers.options().withMaxConcurrentRequests(tight), mini)) {
            warmUp(s);
            LoadGenerator.Result c = batches(s, LoadGenerator.run("/embed, 1 text per request, 4× over the bound", s.baseUrl() + "/embed", one,
                    CLIENTS, tight, d, 1, 20));
            results.add(c);
            assertEquals(0, c.failures(), "over the bound: only 200 and 429, no 500, no dropped connection: " + c.row());
            assertTrue(c.busy() > 0, "some requests were turned away with 429: " + c.row());
            assertTrue(c.ok() > 0, c.row());
            assertEquals(200, new Http(s.baseUrl()).get("/health").status(), "still serving");
            assertEquals(200, new Http(s.baseUrl()).post("/embed", Map.of("inputs", "still here")).status());
        }
        String report = System.getProperty("mlm4j.load.report");
        for (LoadGenerator.Result r : results) System.out.println(r.row());
        if (report != null && !report.isBlank()) write(Path.of(report), results);
    }

    /** The server's mean batch (requests and tokens per forward pass), warm-up included. */
    private static LoadGenerator.Result batches(MlmServer s, LoadGenerator.Result r) {
        return r.withBatches(s.metrics.mean("mlm4j_batch_requests", "model", TestServers.MINILM, "task", "embeddings"),
                s.metrics.mean("mlm4j_batch_tokens", "model", TestServers.MINILM, "task", "embeddings"));
    }

    private static void warmUp(MlmServer s) {
        Http http = new Http(s.baseUrl());
        for (int i = 0; i < 20; i++) http.post("/embed", Map.of("inputs", List.of(TEXT, TEXT + " " + i)));
    }

    private static void write(Path file, List<LoadGenerator.Result> results) throws Exception {
        StringBuilder sb = new StringBuilder();
        sb.append("# mlm4j-server under load\n\n");
        sb.append("Measured ").append(LocalDate.now()).append(" by `scripts/load-test-server` (`LoadTest`, ").append(SECONDS)
                .append(" s per scenario) on this machine: ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, JDK ").append(Runtime.version()).append(".\n\n");
        sb.append("The server (all-MiniLM-L6-v2, default batching: 16,384-token budget, 2 ms wait bound) and ").append(CLIENTS)
                .append(" closed-loop clients (virtual threads, JDK HttpClient, HTTP/1.1 keep-alive) share one JVM and both cores,")
                .append(" over loopback. Each client sends a request, waits for the answer, sends the next. A client that gets")
                .append(" 429 backs off briefly and tries again. Latency is measured at the client, for 200s only. Heap is")
                .append(" the whole JVM's (server and clients) after a full GC before and after each scenario, and the peak")
                .append(" sampled every 100 ms.\n\n");
        sb.append(LoadGenerator.HEADER).append('\n');
        for (LoadGenerator.Result r : results) sb.append(r.row()).append('\n');
        sb.append('\n');
        sb.append("- Below the bound (--max-concurrent-requests ≥ clients) every request is answered 200: no 429, no 5xx,")
                .append(" no transport error.\n");
        sb.append("- 4× over the bound (").append(CLIENTS).append(" clients, bound ").append(CLIENTS / 4)
                .append(") the excess is refused at once with 429 and `Retry-After: 1` instead of queuing: no 5xx, no")
                .append(" dropped connection, the heap stays flat, and the server answers normally afterwards.\n");
        sb.append("- Dynamic batching is what makes 32 one-text clients cheap: requests that arrive while the model")
                .append(" computes share its next forward pass (\"mean batch\": requests and tokens per forward pass, from the")
                .append(" server's `mlm4j_batch_requests` and `mlm4j_batch_tokens` histograms, 20 warm-up requests included).")
                .append(" Over the bound, fewer requests are admitted at once, so batches are smaller and latency lower;")
                .append(" throughput stays about the same because the model, not the HTTP layer, is the limit.\n");
        sb.append("- The machine is shared and noisy (other engineers' builds and benchmarks run beside it; the last column is")
                .append(" the 1-minute load average at the end of each scenario, 2.0 meaning both cores busy): compare rows of one")
                .append(" run, not runs, and read the numbers as lower bounds.\n");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
        System.out.println("wrote " + file.toAbsolutePath());
        System.out.println(String.format(Locale.ROOT, "%s", sb));
    }
}
