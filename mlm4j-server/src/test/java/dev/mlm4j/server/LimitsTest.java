package dev.mlm4j.server;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;

import static dev.mlm4j.server.ServerRoutesTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Limits and protection, each on a server of its own with the setting under test. */
class LimitsTest {

    @Test
    void bodiesOverThePayloadLimitGet413WithOrWithoutContentLength() {
        try (MlmServer s = TestServers.start(TestServers.options().withPayloadLimit(1000), TestServers.bert())) {
            Http http = new Http(s.baseUrl());
            String big = "{\"inputs\":\"" + "a ".repeat(1000) + "[MASK]\"}";
            assertError(http.post("/fill-mask", big), 413, "Validation");
            // chunked: no Content-Length, the limit still holds while reading
            Http.Reply chunked = http.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + "/fill-mask"))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes()))));
            assertError(chunked, 413, "Validation");
            assertEquals(200, http.post("/fill-mask", Map.of("inputs", "a [MASK]")).status());
        }
    }

    @Test
    void aFullQueueAnswers429WithRetryAfterAndRecovers() throws Exception {
        try (MlmServer s = TestServers.start(TestServers.options().withMaxConcurrentRequests(2), TestServers.bert())) {
            Http http = new Http(s.baseUrl());
            s.admission.acquire(2);             // two requests "in the building"
            Http.Reply busy = http.post("/fill-mask", Map.of("inputs", "a [MASK]"));
            assertError(busy, 429, "Overloaded");
            assertEquals("1", busy.header("Retry-After"));
            assertEquals(200, http.get("/health").status());   // probes are not queued
            s.admission.release(2);
            assertEquals(200, http.post("/fill-mask", Map.of("inputs", "a [MASK]")).status());
        }
    }

    @Test
    void aRequestOverItsDeadlineGets503AndIsDropped() {
        try (MlmServer s = TestServers.start(TestServers.options().withRequestTimeoutMillis(1), TestServers.bert())) {
            Http http = new Http(s.baseUrl());
            // A BERT-base forward pass takes far longer than the 1 ms allowed.
            assertError(http.post("/fill-mask", Map.of("inputs", List.of("a [MASK] b", "c [MASK] d"))), 503, "Unhealthy");
            assertEquals(200, http.get("/health").status());
        }
    }

    @Test
    void anApiKeyGuardsEveryRouteButHealth() {
        try (MlmServer s = TestServers.start(TestServers.options().withApiKey("s3cret"), TestServers.bert())) {
            Http anonymous = new Http(s.baseUrl());
            Http wrong = new Http(s.baseUrl(), "nope");
            Http right = new Http(s.baseUrl(), "s3cret");
            Http.Reply r = anonymous.post("/fill-mask", Map.of("inputs", "a [MASK]"));
            assertError(r, 401, "Unauthorized");
            assertEquals("Bearer", r.header("WWW-Authenticate"));
            assertError(wrong.get("/info"), 401, "Unauthorized");
            assertError(anonymous.get("/metrics"), 401, "Unauthorized");
            assertEquals(200, anonymous.get("/health").status());
            assertEquals(200, right.post("/fill-mask", Map.of("inputs", "a [MASK]")).status());
            assertEquals(200, right.get("/info").status());
        }
    }

    @Test
    void corsIsOffByDefaultAndOnlyForTheOriginsGiven() {
        try (MlmServer off = TestServers.start(TestServers.options(), TestServers.bert())) {
            Http.Reply r = new Http(off.baseUrl()).send(HttpRequest.newBuilder(URI.create(off.baseUrl() + "/info"))
                    .header("Origin", "http://example.test").GET());
            assertEquals(200, r.status());
            assertNull(r.header("Access-Control-Allow-Origin"));
        }
        try (MlmServer on = TestServers.start(TestServers.options().withCorsOrigins(List.of("http://ok.test")), TestServers.bert())) {
            Http http = new Http(on.baseUrl());
            Http.Reply ok = http.send(HttpRequest.newBuilder(URI.create(on.baseUrl() + "/info")).header("Origin", "http://ok.test").GET());
            assertEquals("http://ok.test", ok.header("Access-Control-Allow-Origin"));
            Http.Reply other = http.send(HttpRequest.newBuilder(URI.create(on.baseUrl() + "/info")).header("Origin", "http://evil.test").GET());
            assertNull(other.header("Access-Control-Allow-Origin"));
            Http.Reply preflight = http.send(HttpRequest.newBuilder(URI.create(on.baseUrl() + "/embed"))
                    .header("Origin", "http://ok.test").header("Access-Control-Request-Method", "POST")
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
            assertEquals(204, preflight.status());
            assertEquals("http://ok.test", preflight.header("Access-Control-Allow-Origin"));
        }
    }

    @Test
    void bindsLoopbackByDefault() {
        assertEquals("127.0.0.1", ServerOptions.DEFAULT.host());
        assertEquals(List.of(), ServerOptions.DEFAULT.corsOrigins());
        assertNull(ServerOptions.DEFAULT.apiKey());
    }

    @Test
    void wrongMethodIs405() {
        try (MlmServer s = TestServers.start(TestServers.options(), TestServers.bert())) {
            Http.Reply r = new Http(s.baseUrl()).get("/fill-mask");
            assertError(r, 405, "Validation");
            assertEquals("POST", r.header("Allow"), "RFC 9110: a 405 names the methods the route takes");
        }
    }
}
