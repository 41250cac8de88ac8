package dev.mlm4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.mlm4j.server.ServerRoutesTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14, items 2 and 7–10: the server under hostile but ordinary clients. Each test fails on the server as it
 * was before its fix; none depends on timing thresholds (waits are for events, with generous bounds).
 */
class HostileClientsTest {

    // ---------------------------------------------------------------- item 2: the default attention model

    @Test
    void attentionWithoutAModelUsesTheMaskedLanguageModelEvenWhenAnEmbeddingModelIsListedFirst() {
        // `./mlm4j serve` without flags serves all-MiniLM-L6-v2 first, then bert-base-uncased.
        try (MlmServer s = TestServers.start(TestServers.options(), TestServers.miniLm(), TestServers.bert())) {
            Http.Reply r = new Http(s.baseUrl()).post("/attention", Map.of("text", "The dog chased the [MASK].", "layers", 0, "heads", 0));
            assertEquals(200, r.status(), r.toString());
            assertEquals(TestServers.BERT, r.json().get("model").asText());
            JsonNode predictions = r.json().get("predictions");
            assertEquals(1, predictions.size(), "one [MASK], one list of guesses: " + predictions);
            assertEquals(5, predictions.get(0).get("candidates").size());
        }
    }

    // ---------------------------------------------------------------- item 7: slow bodies

    @Test
    void aBodyStillArrivingHoldsNoAdmissionSlotAndGets408AtItsDeadlineEvenWhileBytesKeepComing() throws Exception {
        ServerOptions o = TestServers.options().withMaxConcurrentRequests(1).withBodyReadTimeoutMillis(1500);
        try (MlmServer s = TestServers.start(o, TestServers.miniLm());
             Socket slow = new Socket()) {
            slow.setSoTimeout(60_000);
            slow.connect(new InetSocketAddress("127.0.0.1", s.port()), 10_000);
            OutputStream out = slow.getOutputStream();
            out.write(("POST /embed HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"inputs\":\"")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // A trickle of one byte every 100 ms (each byte would reset an idle timeout), at most 300 of them.
            CompletableFuture<Void> trickle = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 300; i++) {
                        out.write('a');
                        out.flush();
                        Thread.sleep(100);
                    }
                } catch (IOException | InterruptedException closed) {
                    // the server answered and closed the connection
                }
            });
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (s.inFlight() == 0) {
                assertTrue(System.nanoTime() < until, "the slow request reached its handler");
                Thread.sleep(5);
            }
            // The only admission slot is free while that body trickles in: another client is served.
            Http.Reply other = new Http(s.baseUrl()).post("/embed", Map.of("inputs", "hello"));
            assertEquals(200, other.status(), other.toString());

            String reply = readResponse(slow.getInputStream());
            trickle.cancel(true);
            assertTrue(reply.startsWith("HTTP/1.1 408"), reply);
            assertTrue(reply.toLowerCase(Locale.ROOT).contains("connection: close"), reply);
            JsonNode body = Http.JSON.readTree(reply.substring(reply.indexOf("\r\n\r\n") + 4));
            assertEquals("Timeout", body.get("error_type").asText());
            assertTrue(body.get("error").asText().contains("--body-read-timeout-ms"), body.toString());
            assertTrue(s.metrics.scrape().contains("mlm4j_rejected_total{reason=\"body_timeout\"} 1"), s.metrics.scrape());
        }
    }

    // ---------------------------------------------------------------- item 8: replies, tokens, logging

    @Test
    void aReplyOverTheLimitIs413BeforeAnythingIsComputed() {
        try (MlmServer s = TestServers.start(TestServers.options().withMaxReplyBytes(200_000), TestServers.bert())) {
            Http http = new Http(s.baseUrl());
            // 40 masks × top_k 1000: 40,000 guesses, each carrying the whole text as its sequence.
            String text = "the [MASK] sat on the mat . ".repeat(40);
            Http.Reply fill = http.post("/fill-mask", Map.of("inputs", text, "top_k", 1000));
            assertError(fill, 413, "Validation");
            assertTrue(fill.json().get("error").asText().contains("--max-reply-bytes"), fill.toString());
            assertEquals(0, s.metrics.count("mlm4j_batches_total", "model", TestServers.BERT, "task", "fill-mask"), "nothing computed");

            Http.Reply tokenize = http.post("/tokenize", Map.of("inputs", "word ".repeat(5000)));
            assertError(tokenize, 413, "Validation");
            assertTrue(tokenize.json().get("error").asText().contains("200000 bytes"), tokenize.toString());

            Http.Reply all = http.post("/embed_all", Map.of("inputs", List.of("a sentence of some length, to embed ".repeat(5))));
            assertError(all, 413, "Validation");
            assertEquals(0, s.metrics.count("mlm4j_batches_total", "model", TestServers.BERT, "task", "embeddings"), "nothing computed");

            Http.Reply attention = http.post("/attention", Map.of("text", "the [MASK] sat on the mat . ".repeat(10)));
            assertError(attention, 413, "Validation");

            // Small replies still pass.
            assertEquals(200, http.post("/fill-mask", Map.of("inputs", "the [MASK] sat on the mat.")).status());
            assertEquals(200, http.post("/tokenize", Map.of("inputs", "word ".repeat(50))).status());
        }
    }

    @Test
    void admissionIsCountedInTokensNotOnlyRequests() throws Exception {
        try (MlmServer s = TestServers.start(TestServers.options().withMaxAdmittedTokens(100), TestServers.miniLm())) {
            Http http = new Http(s.baseUrl());
            s.tokenBudget.acquire(95);        // requests already admitted hold 95 of the 100 tokens
            Http.Reply busy = http.post("/embed", Map.of("inputs", "one two three four five six seven eight nine ten"));
            assertError(busy, 429, "Overloaded");
            assertEquals("1", busy.header("Retry-After"));
            assertTrue(busy.json().get("error").asText().contains("--max-admitted-tokens"), busy.toString());
            assertEquals(200, http.post("/embed", Map.of("inputs", "hi")).status(), "3 tokens still fit");
            assertEquals(5, s.tokenBudget.availablePermits(), "what a request took is given back");
            s.tokenBudget.release(95);
            assertEquals(200, http.post("/embed", Map.of("inputs", "one two three four five six seven eight nine ten")).status());
        }
    }

    @Test
    void serverWarningsGoToStderrNotToANoOpLogger() {
        PrintStream was = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            org.slf4j.Logger jetty = org.slf4j.LoggerFactory.getLogger("org.eclipse.jetty.server.HttpChannel");
            jetty.warn("probe: java.lang.OutOfMemoryError: Java heap space");
            jetty.info("not shown");
        } finally {
            System.setErr(was);
        }
        String err = captured.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains("WARN") && err.contains("probe: java.lang.OutOfMemoryError"), "stderr: " + err);
        assertFalse(err.contains("not shown"), "WARN and above only: " + err);
    }

    // ---------------------------------------------------------------- item 9: graceful stop

    @Test
    void whileStoppingNewAndKeptAliveConnectionsGet503WithConnectionCloseAndTheListenerClosesOnlyAfter() throws Exception {
        MlmServer s = TestServers.start(TestServers.options(), TestServers.miniLm());
        int port = s.port();
        try (Socket kept = new Socket()) {
            kept.setSoTimeout(30_000);
            kept.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            send(kept, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            String first = readResponse(kept.getInputStream());
            assertTrue(first.startsWith("HTTP/1.1 200"), first);

            s.inFlight.incrementAndGet();                 // a request still computing keeps the stop draining
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(s::stop);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!s.draining()) {
                assertTrue(System.nanoTime() < until);
                Thread.sleep(5);
            }
            // A request on the kept-alive connection: an answer, and the connection closed after it.
            String body = "{\"inputs\":\"hello\"}";
            send(kept, "POST /embed HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                    + "\r\n\r\n" + body);
            String onKept = readResponse(kept.getInputStream());
            assertTrue(onKept.startsWith("HTTP/1.1 503"), onKept);
            assertTrue(onKept.toLowerCase(Locale.ROOT).contains("connection: close"), onKept);
            assertEquals(-1, kept.getInputStream().read(), "the server closed the kept-alive connection after its answer");

            // A new connection is still accepted and answered, not refused or reset.
            try (Socket fresh = new Socket()) {
                fresh.setSoTimeout(30_000);
                fresh.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                send(fresh, "GET /info HTTP/1.1\r\nHost: x\r\n\r\n");
                String r = readResponse(fresh.getInputStream());
                assertTrue(r.startsWith("HTTP/1.1 503"), r);
                assertTrue(r.toLowerCase(Locale.ROOT).contains("connection: close"), r);
                assertEquals("Unhealthy", Http.JSON.readTree(r.substring(r.indexOf("\r\n\r\n") + 4)).get("error_type").asText());
            }
            assertFalse(stopping.isDone(), "the stop waits for the request in flight");
            s.inFlight.decrementAndGet();
            stopping.get(60, TimeUnit.SECONDS);
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "closed once the work is done");
        } finally {
            s.stop();
        }
    }

    // ---------------------------------------------------------------- item 10: Jetty's errors, auth scheme

    @Test
    void errorsJettyAnswersItselfHaveTheJsonErrorBody() throws Exception {
        try (MlmServer s = TestServers.start(TestServers.options(), TestServers.miniLm())) {
            Map<String, String> requests = Map.of(
                    "bad Content-Length", "POST /embed HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n",
                    "414", "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                    "431", "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n",
                    "/../", "GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
                    "encoded /../", "GET /docs/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n");
            for (var e : requests.entrySet()) {
                String r = exchange(s.port(), e.getValue());
                int status = Integer.parseInt(r.substring(9, 12));
                assertTrue(status >= 400 && status < 500, e.getKey() + ": " + r);
                String head = r.substring(0, r.indexOf("\r\n\r\n")).toLowerCase(Locale.ROOT);
                assertTrue(head.contains("content-type: application/json"), e.getKey() + ": " + r);
                JsonNode body = Http.JSON.readTree(r.substring(r.indexOf("\r\n\r\n") + 4));
                assertTrue(body.get("error").isTextual() && body.get("error_type").isTextual(), e.getKey() + ": " + r);
            }
        }
    }

    @Test
    void theBearerSchemeIsCaseInsensitive() {
        assertTrue(MlmServer.authorized("bearer s3cret", "s3cret"));
        assertTrue(MlmServer.authorized("BEARER   s3cret ", "s3cret"));
        assertFalse(MlmServer.authorized("Basic s3cret", "s3cret"));
        assertFalse(MlmServer.authorized("bearer nope", "s3cret"));
        assertFalse(MlmServer.authorized("s3cret", "s3cret"));
        try (MlmServer s = TestServers.start(TestServers.options().withApiKey("s3cret"), TestServers.miniLm())) {
            Http http = new Http(s.baseUrl());
            for (String scheme : List.of("bearer", "BEARER", "Bearer")) {
                Http.Reply r = http.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + "/info")).header("Authorization", scheme + " s3cret").GET());
                assertEquals(200, r.status(), scheme + ": " + r);
            }
        }
    }

    // ---------------------------------------------------------------- raw HTTP

    static void send(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
    }

    /** One request on a fresh connection; the whole response (the server closes or says how long it is). */
    static String exchange(int port, String request) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout(30_000);
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            send(s, request);
            return readResponse(s.getInputStream());
        }
    }

    /** Reads one HTTP/1.1 response with a Content-Length (or up to EOF); ISO-8859-1 head, UTF-8 body. */
    static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int headEnd = -1;
        long length = -1;
        while (true) {
            if (headEnd < 0) {
                String sofar = all.toString(StandardCharsets.ISO_8859_1);
                headEnd = sofar.indexOf("\r\n\r\n");
                if (headEnd >= 0) {
                    for (String line : sofar.substring(0, headEnd).split("\r\n")) {
                        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) length = Long.parseLong(line.substring(15).trim());
                    }
                }
            }
            if (headEnd >= 0 && length >= 0 && all.size() >= headEnd + 4 + length) break;
            int b;
            try {
                b = in.read();
            } catch (java.net.SocketException reset) {
                break;
            }
            if (b < 0) break;
            all.write(b);
        }
        return all.toString(StandardCharsets.UTF_8);
    }
}
