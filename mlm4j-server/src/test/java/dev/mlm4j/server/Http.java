package dev.mlm4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** A plain JDK HTTP client for the tests: raw bytes in, status + headers + JSON out. */
final class Http {

    static final ObjectMapper JSON = new ObjectMapper();

    record Reply(int status, Map<String, java.util.List<String>> headers, String body) {
        JsonNode json() {
            if (body.isEmpty()) throw new AssertionError("empty body (status " + status + ", headers " + headers + ")");
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (status " + status + "): " + body, e);
            }
        }

        String header(String name) {
            for (var e : headers.entrySet()) if (e.getKey().equalsIgnoreCase(name)) return e.getValue().getFirst();
            return null;
        }

        @Override
        public String toString() {
            return status + " " + (body.length() > 300 ? body.substring(0, 300) + "…" : body);
        }
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String apiKey;

    Http(String base) {
        this(base, null);
    }

    Http(String base, String apiKey) {
        this.base = base;
        this.apiKey = apiKey;
    }

    Reply get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    Reply post(String path, Object json) {
        try {
            return post(path, JSON.writeValueAsBytes(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Reply post(String path, String rawJson) {
        return post(path, rawJson.getBytes(StandardCharsets.UTF_8));
    }

    Reply post(String path, byte[] raw) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(raw)));
    }

    Reply send(HttpRequest.Builder b) {
        if (apiKey != null) b.header("Authorization", "Bearer " + apiKey);
        b.timeout(Duration.ofSeconds(120));
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.headers().map(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
