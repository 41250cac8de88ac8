package dev.mlm4j.server;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
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

    final ServerOptions options;
    final List<ServedModel> models;
    final Metrics metrics = new Metrics();
    final Semaphore admission;     // package-private: tests fill it to see the 429
    private final AtomicInteger inFlight = new AtomicInteger();
    private final List<Batcher<?, ?, ?>> batchers = new ArrayList<>();
    private final Map<String, Batcher<?, ?, ?>> batcherByKey = new LinkedHashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean draining;
    private Javalin app;

    private MlmServer(ServerOptions options, List<ServedModel> models) {
        if (models.isEmpty()) throw new IllegalArgumentException("no model to serve");
        List<String> names = ServedModel.names(models);
        for (String n : names) {
            if (names.indexOf(n) != names.lastIndexOf(n)) {
                throw new IllegalArgumentException("two models are named '" + n + "'; give one an alias (--model alias=path)");
            }
        }
        this.options = options;
        this.models = List.copyOf(models);
        this.admission = new Semaphore(options.maxConcurrentRequests());
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

    /** Builds the routes and starts listening; {@link #port()} tells the port when 0 was asked for. */
    public static MlmServer start(ServerOptions options, List<ServedModel> models) {
        MlmServer s = new MlmServer(options, models);
        s.app = Javalin.create(s::configure);
        s.app.start();
        return s;
    }

    public int port() {
        return app.port();
    }

    public String baseUrl() {
        String h = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return "http://" + h + ":" + port();
    }

    // ------------------------------------------------------------------ routes

    private void configure(JavalinConfig cfg) {
        cfg.startup.showJavalinBanner = false;
        cfg.startup.showOldJavalinVersionWarning = false;
        cfg.concurrency.useVirtualThreads = true;
        cfg.http.maxRequestSize = options.payloadLimit();
        cfg.http.prefer405over404 = true;
        cfg.router.ignoreTrailingSlashes = true;
        cfg.jetty.host = options.host();
        cfg.jetty.port = options.port();
        cfg.jetty.modifyServer(server -> server.setStopTimeout(Math.max(1000, options.shutdownGraceMillis())));
        cfg.jetty.modifyHttpConfiguration(http -> {
            http.setSendServerVersion(false);
            // A connection idle (no bytes either way) this long is closed: slow clients cannot pin threads or
            // sockets; longer than any request may compute, so a busy model never cuts a connection.
            http.setIdleTimeout(options.requestTimeoutMillis() + 30_000);
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

        cfg.routes.exception(ApiError.class, (e, ctx) -> error(ctx, e));
        cfg.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, fromJavalin(e)));
        cfg.routes.exception(Exception.class, (e, ctx) -> {
            System.err.println("mlm4j-server: internal error on " + ctx.method() + " " + ctx.path() + ":");
            e.printStackTrace();
            error(ctx, ApiError.internal());
        });
        cfg.routes.error(404, ctx -> {
            if (ctx.attribute(ANSWERED) == null) error(ctx, ApiError.notFound("no route " + ctx.method() + " " + ctx.path()
                    + "; see /openapi.json"));
        });
        cfg.routes.error(405, ctx -> {
            if (ctx.attribute(ANSWERED) == null) error(ctx, new ApiError(405, "Validation", "method " + ctx.method()
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

    private void get(JavalinConfig cfg, String path, Handler h) {
        cfg.routes.get(path, ctx -> {
            ctx.attribute(ROUTE, path);
            inFlight.incrementAndGet();
            try {
                h.handle(ctx);
            } finally {
                inFlight.decrementAndGet();
            }
        });
    }

    /** An inference route: admitted against --max-concurrent-requests (429 when full), refused while draining. */
    private void post(JavalinConfig cfg, String path, Handler h) {
        cfg.routes.post(path, ctx -> {
            ctx.attribute(ROUTE, path);
            inFlight.incrementAndGet();
            try {
                if (draining) {
                    ctx.header("Connection", "close");
                    throw ApiError.unavailable("the server is shutting down");
                }
                if (!admission.tryAcquire()) {
                    ctx.header("Retry-After", "1");
                    throw ApiError.overloaded("the server is busy: " + options.maxConcurrentRequests()
                            + " requests are already queued or computing (--max-concurrent-requests); retry later");
                }
                try {
                    h.handle(ctx);
                } finally {
                    admission.release();
                }
            } finally {
                inFlight.decrementAndGet();
            }
        });
    }

    private void before(Context ctx) {
        ctx.attribute(STARTED, System.nanoTime());
        if (!options.corsOrigins().isEmpty()) cors(ctx);
        if (options.apiKey() != null && !"/health".equals(ctx.path()) && !"OPTIONS".equals(ctx.method().name())) {
            String auth = ctx.header("Authorization");
            byte[] want = ("Bearer " + options.apiKey()).getBytes(StandardCharsets.UTF_8);
            if (auth == null || !MessageDigest.isEqual(want, auth.trim().getBytes(StandardCharsets.UTF_8))) {
                ctx.header("WWW-Authenticate", "Bearer");
                throw ApiError.unauthorized();
            }
        }
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

    /** The request body as JSON (payload limit applied). */
    Body body(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        try (InputStream in = ctx.req().getInputStream()) {
            return Body.read(in, declared, options.payloadLimit());
        } catch (IOException e) {
            throw ApiError.validation("the request body could not be read: " + Body.oneLine(e.getMessage()));
        }
    }

    /**
     * The model a request names ({@code requested}, may be null: the first model that can do {@code task}).
     * 404 for a name not served here; 400 if the model cannot do the task.
     */
    ServedModel model(String requested, ServedModel.Task task) {
        if (requested == null) {
            for (ServedModel m : models) if (m.primary() == task) return m;
            for (ServedModel m : models) if (m.supports(task)) return m;
            throw ApiError.notFound("no model on this server can do " + task.label + "; it serves " + ServedModel.names(models));
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
     * Waits for a batch result until the request's deadline (--request-timeout, counted from arrival);
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
                    + " ms (--request-timeout); retry later or send fewer inputs");
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
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.getMessage());
        body.put("error_type", e.type);
        json(ctx, e.status, body);
    }

    private ApiError fromJavalin(HttpResponseException e) {
        return switch (e.getStatus()) {
            case 413 -> Body.payloadTooLarge(options.payloadLimit());
            case 404 -> ApiError.notFound("no route " + Body.oneLine(e.getMessage()));
            default -> new ApiError(e.getStatus(), e.getStatus() >= 500 ? "Backend" : "Validation", Body.oneLine(e.getMessage()));
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
     * Graceful stop: closes the listening socket (no new connections), answers 503 to new requests on open
     * connections, waits up to the shutdown grace for in-flight requests to finish, stops the batch workers
     * and then Jetty. Safe to call more than once and from any thread.
     */
    public synchronized void stop() {
        if (stopped.getCount() == 0) return;
        draining = true;
        for (Connector c : app.jettyServer().server().getConnectors()) {
            if (c instanceof NetworkConnector nc) nc.close();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.shutdownGraceMillis());
        // Our handlers return before Jetty has written their responses: wait on Jetty's own count of requests
        // whose response is not complete yet (Javalin's StatisticsHandler) as well as ours.
        StatisticsHandler jetty = app.jettyServer().server().getDescendant(StatisticsHandler.class);
        while ((inFlight.get() > 0 || (jetty != null && jetty.getRequestsActive() > 0)) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
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
