package dev.mlm4j.server;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.StatisticsHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP server: Javalin on Jetty, one virtual thread per request, routes in {@link TextRoutes},
 * {@link FillMaskRoute} and friends. This class holds what every route shares: admission (a bounded
 * number of requests in the building, 429 beyond), the request deadline, authentication, CORS, the JSON
 * error body, metrics and the graceful stop.
 * <pre>
 *   MlmServer server = MlmServer.start(ServerOptions.DEFAULT, List.of(ServedModel.load("bert-base-uncased", null)));
 *   …
 *   server.stop();   // stops accepting, lets in-flight requests finish, then closes
 * </pre>
 */
public final class MlmServer implements AutoCloseable {

    static final String VERSION = dev.mlm4j.Version.get();
    private static final String ROUTE = "mlm4j.route";
    private static final String STARTED = "mlm4j.started";
    private static final String ANSWERED = "mlm4j.answered";
    private static final String BODY = "mlm4j.body";
    private static final String HELD = "mlm4j.held";

    final ServerOptions options;
    /** Set before the port is bound ({@link #attach}), so no request sees it unset. */
    volatile List<ServedModel> models;
    final Metrics metrics = new Metrics();
    final Semaphore admission;     // package-private: tests fill it to see the 429
    /** Tokens admitted (queued or computing), of --max-admitted-tokens. */
    final Semaphore tokenBudget;
    /** Estimated reply bytes (in KiB) of the admitted requests, of 4 × --max-reply-bytes. */
    final Semaphore replyBudget;
    private final int replyBudgetKiB;
    final AtomicInteger inFlight = new AtomicInteger();     // package-private: tests hold it to keep a stop draining
    private final AtomicInteger readingBodies = new AtomicInteger();
    private final List<Batcher<?, ?, ?>> batchers = new ArrayList<>();
    private final Map<String, Batcher<?, ?, ?>> batcherByKey = new LinkedHashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean draining;
    private volatile long lastArrival = System.nanoTime();

    /**
     * On stop, once the work in flight is done, the server keeps answering 503 until no request has arrived for
     * this long (within the shutdown grace): a client on a kept-alive connection that was idle at the signal still
     * gets its answer rather than a connection closed under its request.
     */
    static final long QUIET_MILLIS = 1500;
    private Javalin app;

    // ------------------------------------------------------------------ starting: the models attached, the port bound

    private MlmServer(ServerOptions options) {
        this.options = options;
        this.admission = new Semaphore(options.maxConcurrentRequests());
        this.tokenBudget = new Semaphore(options.maxAdmittedTokens());
        this.replyBudgetKiB = (int) Math.min(Integer.MAX_VALUE, 4 * Math.ceilDiv(options.maxReplyBytes(), 1024));
        this.replyBudget = new Semaphore(replyBudgetKiB);
        metrics.gauge("mlm4j_requests_reading_body", "Requests whose body is still arriving (they hold no admission slot)",
                readingBodies::get);
        metrics.gauge("mlm4j_admitted_tokens", "Tokens of the admitted requests, of --max-admitted-tokens",
                () -> options.maxAdmittedTokens() - tokenBudget.availablePermits());
        metrics.gauge("mlm4j_admitted_reply_kib", "Estimated reply KiB of the admitted requests, of 4 × --max-reply-bytes",
                () -> replyBudgetKiB - replyBudget.availablePermits());
        metrics.gauge("mlm4j_draining", "1 while the server is stopping (every request is answered 503)", () -> draining ? 1 : 0);
        metrics.gauge("mlm4j_requests_in_flight", "Requests being handled now", inFlight::get);
        metrics.gauge("mlm4j_requests_admitted", "Inference requests admitted now (queued or computing), of --max-concurrent-requests",
                () -> options.maxConcurrentRequests() - admission.availablePermits());
        metrics.gauge("mlm4j_queue_size", "Requests waiting for a batch, all models", () -> {
            int n = 0;
            synchronized (batchers) {
                for (Batcher<?, ?, ?> b : batchers) n += b.queued();
            }
            return n;
        });
    }

    /** The models this server answers with, checked; before the port is bound. */
    private void attach(List<ServedModel> served) {
        if (served.isEmpty()) throw new IllegalArgumentException("no model to serve");
        List<String> names = ServedModel.names(served);
        for (String n : names) {
            if (names.indexOf(n) != names.lastIndexOf(n)) {
                throw new IllegalArgumentException("two models are named '" + n + "'; give one an alias (--model alias=path)");
            }
        }
        this.models = List.copyOf(served);
    }

    /** Builds the routes and starts listening; {@link #port()} tells the port when 0 was asked for. */
    public static MlmServer start(ServerOptions options, List<ServedModel> models) {
        MlmServer s = new MlmServer(options);
        s.attach(models);
        s.listen(null);
        return s;
    }

    /**
     * As {@link #start(ServerOptions, List)} for models still loading: Javalin, Jetty and the routes start now, on the
     * calling thread, and the port is bound once {@code models} are in — a client never meets a server that cannot answer
     * yet, and a failed load leaves nothing bound. {@code ./mlm4j serve} calls it on a thread of its own while the
     * models load: the ~130 ms that Javalin and Jetty took to start after the load (a cold bert-base serve) then mostly
     * overlap it (docs/BENCHMARKS.md section 7, run 13). Returns once listening; throws what the loads threw (an
     * {@link ExecutionException}'s cause), and {@link IllegalStateException} when the port cannot be bound.
     */
    public static MlmServer startWhenLoaded(ServerOptions options, Future<List<ServedModel>> models) throws Exception {
        MlmServer s = new MlmServer(options);
        Throwable loadFailure = s.listen(models);
        if (loadFailure instanceof Error e) throw e;
        if (loadFailure != null) throw (Exception) loadFailure;
        return s;
    }

    /**
     * Starts Javalin and Jetty with an in-memory placeholder connector (nothing bound), then waits for {@code pending}'s
     * models (when given), then binds the port with the real connector and drops the placeholder. A failed load stops the
     * server it started without a word from Javalin (whose own "Failed to start" line a failure inside its start would
     * print) and is returned (what the loads threw; null when listening).
     */
    private Throwable listen(Future<List<ServedModel>> pending) {
        app = Javalin.create(this::configure);
        try {
            app.start();
        } catch (RuntimeException e) {
            app.stop();
            throw new IllegalStateException("cannot start the HTTP server: " + e.getMessage(), e);
        }
        if (pending != null) {
            Throwable loadFailure = null;
            try {
                attach(pending.get());
            } catch (ExecutionException e) {
                loadFailure = e.getCause() != null ? e.getCause() : e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                loadFailure = e;
            } catch (RuntimeException e) {
                loadFailure = e;
            }
            if (loadFailure != null) {
                app.stop();
                return loadFailure;
            }
        }
        Server server = app.jettyServer().server();
        ServerConnector c = new ServerConnector(server, new HttpConnectionFactory(httpConfiguration));
        c.setHost(options.host());
        c.setPort(options.port());
        // Room in the kernel's accept queue for a burst of connections (the JDK's default is 50): beyond it new
        // connections are dropped or reset before the server sees them. 512 = --max-concurrent-requests' default.
        c.setAcceptQueueSize(Math.max(512, options.maxConcurrentRequests()));
        try {
            server.addConnector(c);              // added to a started server, Jetty leaves it to us to start...
            c.start();
            server.manage(c);                    // ...and to stop with the server
            Connector placeholder = server.getConnectors()[0];
            server.removeConnector(placeholder); // Javalin's port() reads the first connector
            placeholder.stop();
        } catch (Exception e) {
            app.stop();
            throw new IllegalStateException("cannot listen on " + options.host() + ":" + options.port() + ": " + bindFailure(e), e);
        }
        return null;
    }

    /**
     * Why the socket could not be bound, from the root cause: Javalin's own message says "Port already in use" whatever
     * happened (an address not on this machine, a host name that does not resolve).
     */
    static String bindFailure(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        if (root instanceof java.nio.channels.UnresolvedAddressException) return "unknown host";
        if (root instanceof java.net.BindException b && b.getMessage() != null) {
            String m = b.getMessage();
            if (m.contains("already in use")) return "the port is in use (another server is listening there)";
            if (m.contains("assign requested address")) return "that address is not one of this machine's";
            if (m.contains("Permission denied")) return "permission denied (ports below 1024 need root)";
            return m;
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    /** The models it serves, in the order given. */
    public List<ServedModel> models() {
        return models;
    }

    public int port() {
        return app.port();
    }

    public String baseUrl() {
        String h = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return "http://" + h + ":" + port();
    }

    // ------------------------------------------------------------------ routes

    /** Javalin's HTTP configuration (with ours applied), for the connector {@link #listen} binds once the models are in. */
    private HttpConfiguration httpConfiguration;

    private void configure(JavalinConfig cfg) {
        cfg.startup.showJavalinBanner = false;
        cfg.startup.showOldJavalinVersionWarning = false;
        cfg.concurrency.useVirtualThreads = true;
        cfg.http.maxRequestSize = options.payloadLimit();
        cfg.http.prefer405over404 = true;
        cfg.router.ignoreTrailingSlashes = true;
        cfg.jetty.host = options.host();
        cfg.jetty.port = options.port();
        // In memory, binds nothing: Javalin adds a network connector of its own when given none (listen() binds ours)
        cfg.jetty.addConnector((server, http) -> {
            httpConfiguration = http;
            return new LocalConnector(server);
        });
        cfg.jetty.modifyServer(server -> {
            server.setStopTimeout(Math.max(1000, options.shutdownGraceMillis()));
            // Errors Jetty answers itself (bad Content-Length, 414, 431, an ambiguous path) get the JSON error body too.
            server.setErrorHandler(new JsonErrorHandler());
        });
        cfg.jetty.modifyServletContextHandler(handler -> handler.setErrorHandler(new JsonErrorHandler()));
        cfg.jetty.modifyHttpConfiguration(http -> {
            http.setSendServerVersion(false);
            // A connection idle (no bytes either way) this long is closed: slow clients cannot pin threads or
            // sockets; longer than any request may compute, so a busy model never cuts a connection.
            http.setIdleTimeout(idleTimeoutMillis());
        });

        cfg.routes.before(this::before);
        if (!options.corsOrigins().isEmpty()) cfg.routes.options("/*", ctx -> ctx.status(204));

        get(cfg, "/health", this::health);
        get(cfg, "/info", ctx -> json(ctx, 200, Info.of(this)));
        get(cfg, "/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        get(cfg, "/openapi.json", ctx -> ctx.contentType("application/json").result(resource("openapi.json")));
        get(cfg, "/docs", ctx -> ctx.contentType("text/html; charset=utf-8").result(resource("docs.html")));
        get(cfg, "/", ctx -> ctx.contentType("text/html; charset=utf-8").result(resource("index.html")));

        TextRoutes text = new TextRoutes(this);
        post(cfg, "/tokenize", text::tokenize);
        post(cfg, "/decode", text::decode);
        FillMaskRoute fill = new FillMaskRoute(this);
        post(cfg, "/fill-mask", fill::handle);
        EmbeddingRoutes embeddings = new EmbeddingRoutes(this);
        post(cfg, "/embed", embeddings::embed);
        post(cfg, "/embed_all", embeddings::embedAll);
        post(cfg, "/similarity", embeddings::similarity);
        post(cfg, "/v1/embeddings", embeddings::openAi);
        get(cfg, "/v1/models", embeddings::models);
        AttentionRoute attention = new AttentionRoute(this);
        post(cfg, "/attention", attention::handle);
        TaskRoutes tasks = new TaskRoutes(this);
        post(cfg, ServedModel.Task.TEXT_CLASSIFICATION.route, tasks::predict);
        post(cfg, ServedModel.Task.TOKEN_CLASSIFICATION.route, tasks::tokenClassification);
        post(cfg, ServedModel.Task.RERANK.route, tasks::rerank);
        post(cfg, ServedModel.Task.QUESTION_ANSWERING.route, tasks::questionAnswering);

        cfg.routes.exception(ApiError.class, (e, ctx) -> error(ctx, e));
        cfg.routes.exception(Answered.class, (e, ctx) -> { });
        cfg.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, fromJavalin(e)));
        cfg.routes.exception(Exception.class, (e, ctx) -> {
            if (e instanceof RequestError r && r.getCause() instanceof Error err) {   // an Error, re-thrown by the wrappers
                System.err.println("mlm4j-server: " + err + " on " + ctx.method() + " " + ctx.path()
                        + (err instanceof OutOfMemoryError ? "; lower --max-reply-bytes or --max-admitted-tokens, or raise -Xmx" : ""));
                if (!(err instanceof OutOfMemoryError)) err.printStackTrace();
                error(ctx, err instanceof OutOfMemoryError
                        ? ApiError.unavailable("the server ran out of memory for this request; retry with fewer or shorter inputs")
                        : ApiError.internal());
                return;
            }
            System.err.println("mlm4j-server: internal error on " + ctx.method() + " " + ctx.path() + ":");
            e.printStackTrace();
            error(ctx, ApiError.internal());
        });
        cfg.routes.error(404, ctx -> {
            if (ctx.attribute(ANSWERED) == null) error(ctx, ApiError.notFound("no route " + ctx.method() + " " + ctx.path()
                    + "; see /openapi.json"));
        });
        cfg.routes.error(405, ctx -> {
            String allow = allowed.get(ctx.path());
            if (allow != null) ctx.header("Allow", allow);
            if (ctx.attribute(ANSWERED) == null) error(ctx, ApiError.ofStatus(405, "method " + ctx.method()
                    + " is not allowed on " + ctx.path()));
        });
        cfg.requestLogger.http((ctx, ms) -> {
            String route = ctx.attribute(ROUTE);
            if (route == null) route = "other";
            metrics.inc("mlm4j_requests_total", 1, "route", route, "code", Integer.toString(ctx.statusCode()));
            Long t0 = ctx.attribute(STARTED);
            if (t0 != null) metrics.observe("mlm4j_request_duration_seconds", (System.nanoTime() - t0) / 1e9, "route", route);
        });
    }

    /** Each route's methods, for the Allow header of a 405 (RFC 9110 §15.5.6). */
    private final Map<String, String> allowed = new java.util.concurrent.ConcurrentHashMap<>();

    private void get(JavalinConfig cfg, String path, Handler h) {
        allowed.put(path, "GET, HEAD");
        cfg.routes.get(path, ctx -> {
            ctx.attribute(ROUTE, path);
            inFlight.incrementAndGet();
            try {
                h.handle(ctx);
            } catch (Error e) {
                throw new RequestError(e);
            } finally {
                inFlight.decrementAndGet();
            }
        });
    }

    /** An Error (OutOfMemoryError, StackOverflowError) thrown by a handler, carried to the exception handler to be logged. */
    private static final class RequestError extends RuntimeException {
        RequestError(Error e) {
            super(e);
        }
    }

    /**
     * An inference route. The body is read (bounded by --payload-limit and --body-read-timeout-ms) before anything
     * is held, so a slow client costs a virtual thread and a socket, never an admission slot; then the request is
     * admitted against --max-concurrent-requests (429 when full), and refused while draining. The handler admits
     * its work in tokens and reply bytes with {@link #admit}.
     */
    private void post(JavalinConfig cfg, String path, Handler h) {
        allowed.put(path, "POST");
        cfg.routes.post(path, ctx -> {
            ctx.attribute(ROUTE, path);
            inFlight.incrementAndGet();
            try {
                if (draining) throw shuttingDown(ctx);
                ctx.attribute(BODY, readBody(ctx));
                if (draining) throw shuttingDown(ctx);
                if (!admission.tryAcquire()) {
                    metrics.inc("mlm4j_rejected_total", 1, "reason", "requests");
                    ctx.header("Retry-After", "1");
                    throw ApiError.overloaded("the server is busy: " + options.maxConcurrentRequests()
                            + " requests are already queued or computing (--max-concurrent-requests); retry later");
                }
                try {
                    h.handle(ctx);
                } catch (Error e) {
                    throw new RequestError(e);
                } finally {
                    admission.release();
                    int[] held = ctx.attribute(HELD);
                    if (held != null) {
                        tokenBudget.release(held[0]);
                        replyBudget.release(held[1]);
                    }
                }
            } finally {
                inFlight.decrementAndGet();
            }
        });
    }

    private static ApiError shuttingDown(Context ctx) {
        ctx.header("Connection", "close");
        return ApiError.unavailable("the server is shutting down");
    }

    /** Connection idle timeout: longer than any request may compute, so a busy model never cuts a connection. */
    private long idleTimeoutMillis() {
        return options.requestTimeoutMillis() + 30_000;
    }

    /**
     * Admits a request's work once it is known (after parsing and tokenizing, before computing): 413 if its reply
     * would be over --max-reply-bytes ({@code replyBytes} is an estimate; {@code what} says how it was counted),
     * 429 if the tokens or reply bytes of the requests already admitted leave no room. What is taken is given
     * back when the request ends.
     */
    void admit(Context ctx, int tokens, long replyBytes, String what) {
        if (replyBytes > options.maxReplyBytes()) {
            metrics.inc("mlm4j_rejected_total", 1, "reason", "reply_size");
            throw ApiError.replyTooLarge(what, replyBytes, options.maxReplyBytes());
        }
        int t = Math.max(0, Math.min(tokens, options.maxAdmittedTokens()));   // one request alone always fits
        int kib = (int) Math.min(replyBudgetKiB, Math.ceilDiv(Math.max(0, replyBytes), 1024));
        int[] held = ctx.attribute(HELD);
        if (held == null) ctx.attribute(HELD, held = new int[2]);
        if (!tokenBudget.tryAcquire(t)) {
            metrics.inc("mlm4j_rejected_total", 1, "reason", "tokens");
            ctx.header("Retry-After", "1");
            throw ApiError.overloaded("the server is busy: the requests already admitted hold " + options.maxAdmittedTokens()
                    + " tokens (--max-admitted-tokens) and this one needs " + tokens + "; retry later");
        }
        held[0] += t;
        if (!replyBudget.tryAcquire(kib)) {
            metrics.inc("mlm4j_rejected_total", 1, "reason", "reply_memory");
            ctx.header("Retry-After", "1");
            throw ApiError.overloaded("the server is busy building other large replies (4 × --max-reply-bytes in all); retry later");
        }
        held[1] += kib;
    }

    private void before(Context ctx) {
        long now = System.nanoTime();
        ctx.attribute(STARTED, now);
        lastArrival = now;
        if (draining) {           // every request while stopping, on new and kept-alive connections alike
            throw shuttingDown(ctx);
        }
        if (!options.corsOrigins().isEmpty()) cors(ctx);
        if (options.apiKey() != null && !"/health".equals(ctx.path()) && !"OPTIONS".equals(ctx.method().name())) {
            if (!authorized(ctx.header("Authorization"), options.apiKey())) {
                ctx.header("WWW-Authenticate", "Bearer");
                throw ApiError.unauthorized();
            }
        }
    }

    /** {@code Authorization: Bearer <key>}, the scheme in any case (RFC 9110 §11.1), the key compared in constant time. */
    static boolean authorized(String header, String apiKey) {
        if (header == null) return false;
        String h = header.strip();
        int sp = h.indexOf(' ');
        if (sp < 0 || !h.substring(0, sp).equalsIgnoreCase("Bearer")) return false;
        return MessageDigest.isEqual(apiKey.getBytes(StandardCharsets.UTF_8), h.substring(sp + 1).strip().getBytes(StandardCharsets.UTF_8));
    }

    private void cors(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null) return;
        boolean any = options.corsOrigins().contains("*");
        if (!any && !options.corsOrigins().contains(origin)) return;
        ctx.header("Access-Control-Allow-Origin", any ? "*" : origin);
        ctx.header("Vary", "Origin");
        if ("OPTIONS".equals(ctx.method().name())) {
            ctx.header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            ctx.header("Access-Control-Allow-Headers", "Authorization, Content-Type");
            ctx.header("Access-Control-Max-Age", "600");
        }
    }

    private void health(Context ctx) {
        if (draining) throw ApiError.unavailable("the server is shutting down");
        ctx.status(200).contentType("application/json").result("{\"status\":\"ok\"}");
    }

    // ------------------------------------------------------------------ shared by the routes

    /** The request body as JSON, read by the route's wrapper before admission. */
    Body body(Context ctx) {
        Body b = ctx.attribute(BODY);
        return b != null ? b : readBody(ctx);
    }

    /**
     * Reads the body: at most --payload-limit bytes (413), within --body-read-timeout-ms of the request's arrival
     * in total (408, and the connection is closed). The deadline is enforced by lowering the connection's idle
     * timeout to the time left before each read, so a client trickling a byte at a time gets no more than the
     * deadline either.
     */
    private Body readBody(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        Long t0 = ctx.attribute(STARTED);
        long deadline = (t0 == null ? System.nanoTime() : t0) + TimeUnit.MILLISECONDS.toNanos(options.bodyReadTimeoutMillis());
        org.eclipse.jetty.io.EndPoint endPoint = endPoint(ctx);
        readingBodies.incrementAndGet();
        try (InputStream in = new DeadlineInputStream(ctx.req().getInputStream(), endPoint, deadline)) {
            return Body.read(in, declared, options.payloadLimit());
        } catch (IOException e) {
            if (e instanceof BodyTimeout || System.nanoTime() - deadline > -TimeUnit.MILLISECONDS.toNanos(5)
                    || e.getCause() instanceof TimeoutException) {
                metrics.inc("mlm4j_rejected_total", 1, "reason", "body_timeout");
                answerAndLinger(ctx, endPoint, ApiError.bodyTimeout(options.bodyReadTimeoutMillis()));
                throw new Answered();
            }
            throw ApiError.validation("the request body could not be read: " + Body.oneLine(e.getMessage()));
        } finally {
            readingBodies.decrementAndGet();
            if (endPoint != null) endPoint.setIdleTimeout(idleTimeoutMillis());
        }
    }

    /** Thrown once a response has been written by hand: nothing more to write. */
    static final class Answered extends RuntimeException {
        Answered() {
            super(null, null, false, false);
        }
    }

    /**
     * Writes {@code e} with {@code Connection: close}, half-closes the connection, then reads and discards what
     * the client still sends for up to {@link #LINGER_MILLIS}: closing a socket with unread bytes (or receiving
     * bytes after closing) makes the kernel send a reset, which can destroy the answer before the client reads it.
     */
    private void answerAndLinger(Context ctx, org.eclipse.jetty.io.EndPoint endPoint, ApiError e) {
        ctx.attribute(ANSWERED, Boolean.TRUE);
        try {
            byte[] body = e.json();
            var res = ctx.res();
            res.setStatus(e.status);
            res.setContentType("application/json");
            res.setHeader("Connection", "close");
            res.setContentLength(body.length);
            res.getOutputStream().write(body);
            res.flushBuffer();
            if (endPoint == null) return;
            endPoint.shutdownOutput();
            java.nio.ByteBuffer sink = java.nio.ByteBuffer.allocate(4096);
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
            while (System.nanoTime() < until && endPoint.isOpen()) {
                sink.clear();
                int n = endPoint.fill(sink);
                if (n < 0) break;
                if (n == 0) Thread.sleep(20);
            }
        } catch (IOException | RuntimeException | InterruptedException ignored) {
            // the client went away: nothing left to tell it
        }
    }

    static final long IDLE_MARGIN_MILLIS = 1000;

    /** How long a connection closed by the server keeps reading (and dropping) what its client still sends. */
    static final long LINGER_MILLIS = 2000;

    private static org.eclipse.jetty.io.EndPoint endPoint(Context ctx) {
        try {
            var r = org.eclipse.jetty.ee10.servlet.ServletContextRequest.getServletContextRequest(ctx.req());
            return r == null ? null : r.getConnectionMetaData().getConnection().getEndPoint();
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    private static final class BodyTimeout extends IOException {
        BodyTimeout() {
            super("the body read deadline passed", null);
        }
    }

    /** Before each read, sets the connection's idle timeout to the time left until the deadline. */
    private static final class DeadlineInputStream extends java.io.FilterInputStream {
        private final org.eclipse.jetty.io.EndPoint endPoint;
        private final long deadline;

        DeadlineInputStream(InputStream in, org.eclipse.jetty.io.EndPoint endPoint, long deadline) {
            super(in);
            this.endPoint = endPoint;
            this.deadline = deadline;
        }

        private void arm() throws BodyTimeout {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) throw new BodyTimeout();
            // The idle timeout only unblocks a read that waits past the deadline (a client that sends nothing);
            // a trickle is caught by the check after each read. The margin keeps Jetty's own idle expiry (which
            // fails the whole request if it strikes between two reads) from racing that check.
            if (endPoint != null) endPoint.setIdleTimeout(left + IDLE_MARGIN_MILLIS);
        }

        @Override
        public int read() throws IOException {
            arm();
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            arm();
            int r = super.read(b, off, len);
            if (r > 0 && System.nanoTime() > deadline) throw new BodyTimeout();
            return r;
        }
    }

    /**
     * The model a request names ({@code requested}, may be null: the first model that can do {@code task}).
     * 404 for a name not served here; 400 if the model cannot do the task; 424 (TEI's status for a model of another
     * kind) when no model here can do it: the route exists, the server lacks the model.
     */
    ServedModel model(String requested, ServedModel.Task task) {
        if (requested == null) {
            // Attention's default is the first masked-language model: the explorer shows its fill-mask guesses
            // (an embedding model has no head to guess with), as the page at / and `serve --help` say.
            ServedModel.Task made = task == ServedModel.Task.ATTENTION ? ServedModel.Task.FILL_MASK : task;
            for (ServedModel m : models) if (m.primary() == made) return m;
            for (ServedModel m : models) if (m.supports(task)) return m;
            if (task.taskModel()) {     // as TEI on a model of another kind: 424
                throw ApiError.backend("no " + task.label + " model is loaded: start the server with " + task.option
                        + " DIR for " + task.route + "; it serves " + ServedModel.names(models));
            }
            throw ApiError.backend("no model on this server can do " + task.label + "; it serves " + ServedModel.names(models));
        }
        for (ServedModel m : models) {
            if (m.name().equals(requested)) {
                if (!m.supports(task)) {
                    throw ApiError.validation("model '" + requested + "' cannot do " + task.label + " (it can do "
                            + m.tasks().stream().map(t -> t.label).toList() + ")");
                }
                return m;
            }
        }
        throw ApiError.notFound("model '" + Body.abbreviate(requested) + "' is not served here; this server has "
                + ServedModel.names(models));
    }

    /** The batcher of one model and task, made on first use. */
    @SuppressWarnings("unchecked")
    <K, I, O> Batcher<K, I, O> batcher(ServedModel m, ServedModel.Task task, Batcher.Runner<K, I, O> runner) {
        synchronized (batchers) {
            String key = m.name() + "\u0000" + task.label;
            Batcher<?, ?, ?> b = batcherByKey.get(key);
            if (b == null) {   // also while draining: a request admitted before the stop must still finish
                b = new Batcher<>(m.name(), task.label, options.maxBatchTokens(), options.maxBatchWaitMillis(), runner, metrics);
                batcherByKey.put(key, b);
                batchers.add(b);
            }
            return (Batcher<K, I, O>) b;
        }
    }

    /**
     * Waits for a batch result until the request's deadline (--request-timeout-ms, counted from arrival);
     * a request still queued then is taken out of the queue and answered 503.
     */
    <T> T await(Context ctx, CompletableFuture<T> f) {
        Long t0 = ctx.attribute(STARTED);
        long deadline = (t0 == null ? System.nanoTime() : t0) + TimeUnit.MILLISECONDS.toNanos(options.requestTimeoutMillis());
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | CancellationException e) {
            f.cancel(false);
            throw ApiError.unavailable("the request did not finish within " + options.requestTimeoutMillis()
                    + " ms (--request-timeout-ms); retry later or send fewer inputs");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(false);
            throw ApiError.unavailable("the request was interrupted");
        } catch (ExecutionException e) {
            throw translate(e.getCause());
        }
    }

    /** A pipeline failure → the client's error: input problems are 400 with the pipeline's message, the rest 500. */
    static RuntimeException translate(Throwable t) {
        if (t instanceof ApiError a) return a;
        if (t instanceof IllegalArgumentException) return ApiError.validation(Body.oneLine(t.getMessage()));
        if (t instanceof OutOfMemoryError) {
            System.err.println("mlm4j-server: out of memory in a batch; lower --max-batch-tokens or raise -Xmx");
            return ApiError.unavailable("the server ran out of memory for this batch; retry with fewer or shorter inputs");
        }
        System.err.println("mlm4j-server: internal error in a batch:");
        t.printStackTrace();
        return ApiError.internal();
    }

    static void json(Context ctx, int status, Object value) {
        try {
            ctx.status(status).contentType("application/json").result(Body.JSON.writeValueAsBytes(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("could not write the response as JSON", e);
        }
    }

    private static void error(Context ctx, ApiError e) {
        ctx.attribute(ANSWERED, Boolean.TRUE);
        ctx.status(e.status).contentType("application/json").result(e.json());
    }

    private ApiError fromJavalin(HttpResponseException e) {
        return switch (e.getStatus()) {
            case 413 -> Body.payloadTooLarge(options.payloadLimit());
            // Javalin's "Endpoint GET /nope not found", worded as the 404 handler words it
            case 404 -> ApiError.notFound("no route " + Body.oneLine(e.getMessage()).replaceFirst("^Endpoint ", "").replaceFirst(" not found$", "")
                    + "; see /openapi.json");
            default -> ApiError.ofStatus(e.getStatus(), Body.oneLine(e.getMessage()));
        };
    }

    private static final Map<String, byte[]> RESOURCES = new java.util.concurrent.ConcurrentHashMap<>();

    static byte[] resource(String name) {
        return RESOURCES.computeIfAbsent(name, n -> {
            try (InputStream in = MlmServer.class.getResourceAsStream(n)) {
                if (in == null) throw new IllegalStateException("resource missing from the jar: " + n);
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    // ------------------------------------------------------------------ lifecycle

    /** Whether {@link #stop()} has begun. */
    public boolean draining() {
        return draining;
    }

    /** Requests being handled right now. */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Graceful stop: answers 503 with {@code Connection: close} to every new request (new connections and kept-alive
     * ones), waits up to the shutdown grace for in-flight requests to finish and their replies to be written and for
     * {@link #QUIET_MILLIS} without a new request, then closes the listening socket, stops the batch workers and then Jetty. Safe to call more than once and from any thread.
     */
    public synchronized void stop() {
        if (stopped.getCount() == 0) return;
        draining = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.shutdownGraceMillis());
        // The listening socket stays open while requests finish: a client that connects now, or sends on a kept-alive
        // connection, gets 503 with `Connection: close` rather than a refused or reset connection. Our handlers
        // return before Jetty has written their responses: wait on Jetty's own count of requests whose response is
        // not complete yet (Javalin's StatisticsHandler) as well as ours.
        StatisticsHandler jetty = app.jettyServer().server().getDescendant(StatisticsHandler.class);
        long quiet = TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS);
        while ((inFlight.get() > 0 || (jetty != null && jetty.getRequestsActive() > 0) || System.nanoTime() - lastArrival < quiet)
                && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Connector c : app.jettyServer().server().getConnectors()) {
            if (c instanceof NetworkConnector nc) nc.close();
        }
        List<Batcher<?, ?, ?>> all;
        synchronized (batchers) {
            all = List.copyOf(batchers);
        }
        for (Batcher<?, ?, ?> b : all) {
            try {
                b.close(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        app.stop();
        stopped.countDown();
    }

    /** Blocks until {@link #stop()} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        stop();
    }
}
