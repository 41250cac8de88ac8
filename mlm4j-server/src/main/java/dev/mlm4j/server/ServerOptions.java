package dev.mlm4j.server;

import java.util.List;

/**
 * How the server runs. Defaults follow TEI where TEI has the setting (max batch tokens 16384, max client
 * batch size 32, max concurrent requests 512, payload limit 2 MB) and are safe without flags: loopback
 * only, no CORS, no auth.
 *
 * @param host                  address to bind (127.0.0.1 unless told otherwise)
 * @param port                  TCP port; 0 picks a free one
 * @param maxBatchTokens        token budget of one batch (dynamic batching)
 * @param maxBatchWaitMillis    how long an idle worker waits for more requests to join a batch
 * @param payloadLimit          largest request body, in bytes (413 beyond)
 * @param maxClientBatchSize    most inputs in one request (413 beyond)
 * @param maxConcurrentRequests requests admitted at once, queued or computing; more get 429 with Retry-After
 * @param requestTimeoutMillis  longest a request may wait and compute before it gets 503
 * @param autoTruncate          truncate over-long inputs even when the request does not ask to
 * @param apiKey                if non-null, every route but /health needs {@code Authorization: Bearer <apiKey>}
 * @param corsOrigins           origins allowed by CORS ("*" for any); empty: no CORS headers at all
 * @param shutdownGraceMillis   on stop, how long in-flight requests get to finish
 * @param bodyReadTimeoutMillis longest a client may take to send a request body, counted from the end of its
 *                              headers (total time, however the bytes trickle in); 408 beyond. No admission slot
 *                              is held while a body is read
 * @param maxReplyBytes         largest reply one request may ask for, estimated before any computing (fill-mask:
 *                              masks × top_k × sequence; tokenize: tokens × fields; embed_all: tokens × hidden size;
 *                              attention: layers × heads × tokens²); 413 beyond. Replies being built by all admitted
 *                              requests together are held to 4 × this (429 beyond), so memory stays bounded
 * @param maxAdmittedTokens     tokens admitted at once (queued or computing) over all models; 429 beyond: a
 *                              few long requests cannot queue more work than the models finish in time
 */
public record ServerOptions(String host, int port, int maxBatchTokens, long maxBatchWaitMillis, long payloadLimit,
                            int maxClientBatchSize, int maxConcurrentRequests, long requestTimeoutMillis,
                            boolean autoTruncate, String apiKey, List<String> corsOrigins, long shutdownGraceMillis,
                            long bodyReadTimeoutMillis, long maxReplyBytes, int maxAdmittedTokens) {

    public static final ServerOptions DEFAULT = new ServerOptions("127.0.0.1", 8080, 16384, 2, 2_000_000, 32, 512,
            60_000, false, null, List.of(), 30_000, 30_000, 64L << 20, 65_536);

    public ServerOptions {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("host is empty");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        if (maxBatchTokens < 1) throw new IllegalArgumentException("max batch tokens must be at least 1, got " + maxBatchTokens);
        if (maxBatchWaitMillis < 0) throw new IllegalArgumentException("max batch wait must not be negative");
        if (payloadLimit < 1) throw new IllegalArgumentException("payload limit must be at least 1 byte");
        if (maxClientBatchSize < 1) throw new IllegalArgumentException("max client batch size must be at least 1");
        if (maxConcurrentRequests < 1) throw new IllegalArgumentException("max concurrent requests must be at least 1");
        if (requestTimeoutMillis < 1) throw new IllegalArgumentException("request timeout must be positive");
        if (shutdownGraceMillis < 0) throw new IllegalArgumentException("shutdown grace must not be negative");
        if (apiKey != null && apiKey.isBlank()) throw new IllegalArgumentException("the API key is empty");
        if (bodyReadTimeoutMillis < 1) throw new IllegalArgumentException("body read timeout must be positive");
        if (maxReplyBytes < 1024) throw new IllegalArgumentException("max reply bytes must be at least 1024, got " + maxReplyBytes);
        if (maxAdmittedTokens < 1) throw new IllegalArgumentException("max admitted tokens must be at least 1, got " + maxAdmittedTokens);
        corsOrigins = corsOrigins == null ? List.of() : List.copyOf(corsOrigins);
    }

    public ServerOptions withPort(int p) {
        return with(c -> c.port = p);
    }

    public ServerOptions withHost(String h) {
        return with(c -> c.host = h);
    }

    public ServerOptions withMaxConcurrentRequests(int n) {
        return with(c -> c.maxConcurrentRequests = n);
    }

    public ServerOptions withPayloadLimit(long bytes) {
        return with(c -> c.payloadLimit = bytes);
    }

    public ServerOptions withApiKey(String key) {
        return with(c -> c.apiKey = key);
    }

    public ServerOptions withCorsOrigins(List<String> origins) {
        return with(c -> c.corsOrigins = origins);
    }

    public ServerOptions withRequestTimeoutMillis(long millis) {
        return with(c -> c.requestTimeoutMillis = millis);
    }

    public ServerOptions withShutdownGraceMillis(long millis) {
        return with(c -> c.shutdownGraceMillis = millis);
    }

    public ServerOptions withBodyReadTimeoutMillis(long millis) {
        return with(c -> c.bodyReadTimeoutMillis = millis);
    }

    public ServerOptions withMaxReplyBytes(long bytes) {
        return with(c -> c.maxReplyBytes = bytes);
    }

    public ServerOptions withMaxAdmittedTokens(int tokens) {
        return with(c -> c.maxAdmittedTokens = tokens);
    }

    /** A copy with what {@code change} sets changed (and checked again by the constructor). */
    private ServerOptions with(java.util.function.Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return new ServerOptions(c.host, c.port, c.maxBatchTokens, c.maxBatchWaitMillis, c.payloadLimit, c.maxClientBatchSize,
                c.maxConcurrentRequests, c.requestTimeoutMillis, c.autoTruncate, c.apiKey, c.corsOrigins, c.shutdownGraceMillis,
                c.bodyReadTimeoutMillis, c.maxReplyBytes, c.maxAdmittedTokens);
    }

    /** The components, mutable, for {@link #with}. */
    private static final class Copy {
        String host, apiKey;
        int port, maxBatchTokens, maxClientBatchSize, maxConcurrentRequests, maxAdmittedTokens;
        long maxBatchWaitMillis, payloadLimit, requestTimeoutMillis, shutdownGraceMillis, bodyReadTimeoutMillis, maxReplyBytes;
        boolean autoTruncate;
        List<String> corsOrigins;

        Copy(ServerOptions o) {
            host = o.host;
            port = o.port;
            maxBatchTokens = o.maxBatchTokens;
            maxBatchWaitMillis = o.maxBatchWaitMillis;
            payloadLimit = o.payloadLimit;
            maxClientBatchSize = o.maxClientBatchSize;
            maxConcurrentRequests = o.maxConcurrentRequests;
            requestTimeoutMillis = o.requestTimeoutMillis;
            autoTruncate = o.autoTruncate;
            apiKey = o.apiKey;
            corsOrigins = o.corsOrigins;
            shutdownGraceMillis = o.shutdownGraceMillis;
            bodyReadTimeoutMillis = o.bodyReadTimeoutMillis;
            maxReplyBytes = o.maxReplyBytes;
            maxAdmittedTokens = o.maxAdmittedTokens;
        }
    }
}
