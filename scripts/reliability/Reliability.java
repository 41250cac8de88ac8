// The server under hostile but ordinary clients: a load tool for scripts/reliability/run (JDK 25, no dependencies:
// `java Reliability.java MODE PORT [PID] [options]`). Talks raw HTTP/1.1 over sockets to 127.0.0.1 only, so every
// outcome is seen as it is: a status code, a connection reset, a connection closed without an answer ("dropped"),
// refused, or no answer in time. Every loop is bounded (a request count or a duration) and stops by itself.
//
// Modes (figures go to stdout as `key value` lines, for docs/RELIABILITY.md):
//   fuzz PORT PID N         N malformed, mistyped, oversized and random requests; counts per status; every error
//                           must be the JSON error body
//   slowbody PORT PID C S   C connections trickle a body one byte a second for S seconds while a probe keeps asking
//                           /embed and /tokenize: the probe must keep getting 200, the slow ones 408
//   replysize PORT PID C S  C clients send the reply-size attacks (fill-mask 255 masks × top_k 1000, /tokenize
//                           of a 1.9 MB body) and large-but-allowed replies for S seconds; peak RSS of PID
//   overload PORT PID C S   C keep-alive clients send small /embed requests as fast as they can for S seconds
//   sigterm PORT PID C S    C keep-alive clients (some pausing between requests) load the server; after S seconds
//                           SIGTERM goes to PID; each client goes on until it is answered 503 or refused
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

public class Reliability {

    static int port;
    static long pid;
    static final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    static void count(String what) {
        counts.computeIfAbsent(what, k -> new LongAdder()).increment();
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        port = Integer.parseInt(args[1]);
        pid = Long.parseLong(args[2]);
        RssSampler rss = new RssSampler(pid);
        rss.start();
        long t0 = System.nanoTime();
        // Zeros are figures too: name the outcomes that must not happen, so a clean run says so.
        for (String k : switch (mode) {
            case "fuzz" -> List.of("status_500", "status_reset", "status_dropped", "status_cut", "status_timeout", "error_not_json");
            case "slowbody" -> List.of("probe_429", "probe_reset", "probe_dropped", "slow_reset", "slow_dropped", "slow_unanswered");
            case "overload" -> List.of("overload_500", "overload_reset", "overload_dropped", "overload_cut", "overload_timeout");
            case "sigterm" -> List.of("before_reset", "before_dropped", "after_reset", "after_dropped", "after_cut", "after_timeout",
                    "503_without_connection_close");
            default -> List.<String>of();
        }) counts.computeIfAbsent(k, x -> new LongAdder());
        switch (mode) {
            case "fuzz" -> fuzz(Integer.parseInt(args[3]));
            case "slowbody" -> slowBody(Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "replysize" -> replySize(Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "overload" -> overload(Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "sigterm" -> sigterm(Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
        rss.stop();
        System.out.printf(Locale.ROOT, "mode %s%nseconds %.1f%n", mode, (System.nanoTime() - t0) / 1e9);
        for (var e : new TreeMap<>(counts).entrySet()) System.out.println(e.getKey() + " " + e.getValue().sum());
        System.out.printf(Locale.ROOT, "rss_start_mb %d%nrss_peak_mb %d%nrss_end_mb %d%n", rss.first / 1024, rss.peak / 1024, rss.last / 1024);
    }

    // ------------------------------------------------------------------ one exchange

    /** The outcome of one request: "200", "503", …, or reset / dropped / refused / timeout. */
    record Outcome(String kind, String head, String body) {
        boolean status() {
            return Character.isDigit(kind.charAt(0));
        }

        boolean closes() {
            return head != null && head.toLowerCase(Locale.ROOT).contains("\r\nconnection: close");
        }
    }

    static Socket connect(int timeoutMillis) throws IOException {
        Socket s = new Socket();
        s.setSoTimeout(timeoutMillis);
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        return s;
    }

    static byte[] request(String method, String path, String contentType, byte[] body, boolean close) {
        StringBuilder h = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        if (contentType != null) h.append("Content-Type: ").append(contentType).append("\r\n");
        if (body != null) h.append("Content-Length: ").append(body.length).append("\r\n");
        if (close) h.append("Connection: close\r\n");
        h.append("\r\n");
        byte[] head = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null) return head;
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    static byte[] json(String path, String json) {
        return request("POST", path, "application/json", json.getBytes(StandardCharsets.UTF_8), false);
    }

    /** Sends raw bytes on {@code s} and reads one response. */
    static Outcome exchange(Socket s, byte[] raw) {
        try {
            OutputStream out = s.getOutputStream();
            out.write(raw);
            out.flush();
        } catch (SocketException e) {
            // the server may answer (and close) before it has read everything, e.g. 413 or 431: read that answer
        } catch (IOException e) {
            return new Outcome("reset", null, null);
        }
        return read(s);
    }

    static Outcome read(Socket s) {
        try {
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) return new Outcome(head.size() == 0 ? "dropped" : "cut", null, null);
                head.write(b);
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            String h = head.toString(StandardCharsets.ISO_8859_1);
            String status = h.length() >= 12 ? h.substring(9, 12) : "garbled";
            long length = -1;
            boolean chunked = false;
            for (String line : h.split("\r\n")) {
                String l = line.toLowerCase(Locale.ROOT);
                if (l.startsWith("content-length:")) length = Long.parseLong(l.substring(15).trim());
                if (l.startsWith("transfer-encoding:") && l.contains("chunked")) chunked = true;
            }
            byte[] body;
            if (chunked) body = readChunked(in);
            else if (length >= 0) body = in.readNBytes((int) length);
            else body = in.readAllBytes();
            if (length >= 0 && body.length < length) return new Outcome("cut", h, null);
            return new Outcome(status, h, new String(body, StandardCharsets.UTF_8));
        } catch (SocketTimeoutException e) {
            return new Outcome("timeout", null, null);
        } catch (IOException e) {
            return new Outcome("reset", null, null);
        }
    }

    static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            StringBuilder line = new StringBuilder();
            for (int b; (b = in.read()) != '\n'; ) {
                if (b < 0) throw new IOException("cut");
                if (b != '\r') line.append((char) b);
            }
            int size = Integer.parseInt(line.toString().trim().split(";")[0], 16);
            if (size == 0) {
                in.readNBytes(2);
                return out.toByteArray();
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length < size) throw new IOException("cut");
            out.write(chunk);
            in.readNBytes(2);
        }
    }

    /** One request on a fresh connection. */
    static Outcome once(byte[] raw, int timeoutMillis) {
        try (Socket s = connect(timeoutMillis)) {
            return exchange(s, raw);
        } catch (ConnectException e) {
            return new Outcome("refused", null, null);
        } catch (IOException e) {
            return new Outcome("reset", null, null);
        }
    }

    static boolean jsonError(Outcome o) {
        return o.body != null && o.head.toLowerCase(Locale.ROOT).contains("content-type: application/json")
                && o.body.startsWith("{\"error\":") && o.body.contains("\"error_type\":");
    }

    // ------------------------------------------------------------------ fuzz

    static final String[] ROUTES = {"/embed", "/embed_all", "/similarity", "/v1/embeddings", "/tokenize", "/decode",
            "/fill-mask", "/attention", "/health", "/info", "/metrics", "/v1/models", "/openapi.json", "/", "/nope"};

    static void fuzz(int n) throws Exception {
        Random r = new Random(14);
        List<byte[]> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) requests.add(fuzzRequest(r));
        try (var pool = Executors.newFixedThreadPool(8)) {
            for (byte[] req : requests) {
                pool.submit(() -> {
                    Outcome o = once(req, 120_000);
                    count("status_" + o.kind);
                    if (o.status() && o.kind.charAt(0) >= '4' && !jsonError(o)) {
                        count("error_not_json");
                        if (counts.get("error_not_json").sum() <= 3) System.err.println("not JSON: " + o.head + o.body);
                    }
                    if (o.kind.equals("500")) System.err.println("500 for: " + new String(req, 0, Math.min(300, req.length), StandardCharsets.ISO_8859_1));
                });
            }
        }
        count("requests_sent");
        counts.get("requests_sent").add(n - 1);
    }

    static byte[] fuzzRequest(Random r) {
        String route = ROUTES[r.nextInt(ROUTES.length)];
        return switch (r.nextInt(12)) {
            case 0 -> json(route, randomJson(r, 0));                                     // random JSON
            case 1 -> json(route, "{\"inputs\":" + randomJson(r, 0) + "}");               // right field, any type
            case 2 -> json(route, validBody(route, r));                                   // a valid request
            case 3 -> {                                                                    // valid body, cut short
                String v = validBody(route, r);
                yield json(route, v.substring(0, r.nextInt(v.length())));
            }
            case 4 -> request("POST", route, "application/json", randomBytes(r, r.nextInt(2000)), false);   // binary junk
            case 5 -> request(r.nextBoolean() ? "PUT" : "DELETE", route, null, null, false);               // wrong method
            case 6 -> json(route, "{\"inputs\":\"" + "[MASK] ".repeat(r.nextInt(600)) + "\",\"top_k\":" + (r.nextInt(2000) - 500) + "}");
            case 7 -> json(route, "[".repeat(r.nextInt(5000)));                          // deep nesting
            case 8 -> json(route, "{\"inputs\":\"" + "\\ud800".repeat(r.nextInt(50)) + "\",\"text\":1e999999}");  // lone surrogates, huge numbers
            case 9 -> switch (r.nextInt(5)) {                                              // what Jetty answers itself
                case 0 -> ("POST " + route + " HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
                case 1 -> ("GET /" + "a".repeat(9000 + r.nextInt(20000)) + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
                case 2 -> ("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(9000 + r.nextInt(20000)) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
                case 3 -> ("GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
                default -> ("GET /docs/%2e%2e/%2e%2e/x HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            };
            case 10 -> request("POST", route, "application/json", ("{\"inputs\":\"" + "x".repeat(2_100_000) + "\"}").getBytes(StandardCharsets.UTF_8), false);
            default -> json(route, "{\"inputs\":\"" + randomText(r) + "\",\"model\":\"" + (r.nextBoolean() ? "/etc/passwd" : "../../x") + "\"}");
        };
    }

    static String validBody(String route, Random r) {
        String t = randomText(r);
        return switch (route) {
            case "/fill-mask" -> "{\"inputs\":\"" + t + " [MASK] .\",\"top_k\":" + (1 + r.nextInt(20)) + "}";
            case "/attention" -> "{\"text\":\"" + t + " [MASK] .\",\"layers\":0,\"heads\":[0,-1]}";
            case "/similarity" -> "{\"inputs\":{\"source_sentence\":\"" + t + "\",\"sentences\":[\"" + t + "\",\"x\"]}}";
            case "/decode" -> "{\"ids\":[101," + r.nextInt(30000) + ",102]}";
            case "/v1/embeddings" -> "{\"input\":[\"" + t + "\"],\"encoding_format\":\"" + (r.nextBoolean() ? "float" : "base64") + "\"}";
            default -> "{\"inputs\":[\"" + t + "\",\"" + t + "\"]}";
        };
    }

    static String randomText(Random r) {
        String[] words = {"the", "dog", "chased", "a", "cat", "über", "naïve", "東京", "🙂", "\\n", "\\\"", "of", "mlm4j"};
        StringBuilder b = new StringBuilder();
        for (int i = 0, n = 1 + r.nextInt(30); i < n; i++) b.append(i == 0 ? "" : " ").append(words[r.nextInt(words.length)]);
        return b.toString();
    }

    static String randomJson(Random r, int depth) {
        int k = depth > 4 ? r.nextInt(4) : r.nextInt(7);
        return switch (k) {
            case 0 -> Long.toString(r.nextLong());
            case 1 -> "\"" + randomText(r) + "\"";
            case 2 -> r.nextBoolean() ? "true" : "null";
            case 3 -> Double.toString(r.nextGaussian() * 1e300);
            case 4 -> {
                StringBuilder b = new StringBuilder("[");
                for (int i = 0, n = r.nextInt(5); i < n; i++) b.append(i == 0 ? "" : ",").append(randomJson(r, depth + 1));
                yield b.append(']').toString();
            }
            default -> {
                String[] keys = {"inputs", "input", "text", "ids", "top_k", "targets", "layers", "heads", "dimensions", "truncate",
                        "normalize", "model", "parameters", "format", "pair", "sentences", "source_sentence", "causal", "graph_top_k"};
                StringBuilder b = new StringBuilder("{");
                for (int i = 0, n = r.nextInt(5); i < n; i++) {
                    b.append(i == 0 ? "" : ",").append('"').append(keys[r.nextInt(keys.length)]).append("\":").append(randomJson(r, depth + 1));
                }
                yield b.append('}').toString();
            }
        };
    }

    static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    // ------------------------------------------------------------------ slow bodies

    static void slowBody(int connections, int seconds) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        List<Thread> slow = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            slow.add(Thread.ofVirtual().start(() -> {
                try (Socket s = connect(seconds * 1000 + 60_000)) {
                    s.getOutputStream().write(("POST /embed HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 100000\r\n\r\n{\"inputs\":\"").getBytes(StandardCharsets.ISO_8859_1));
                    AtomicBoolean answered = new AtomicBoolean();
                    Thread reader = Thread.ofVirtual().start(() -> {
                        Outcome o = read(s);
                        answered.set(true);
                        count("slow_" + o.kind);
                    });
                    for (int k = 0; k < seconds && !answered.get() && !done.get(); k++) {    // one byte a second
                        try {
                            s.getOutputStream().write('a');
                            s.getOutputStream().flush();
                        } catch (IOException closed) {
                            break;
                        }
                        Thread.sleep(1000);
                    }
                    reader.join(70_000);
                    if (!answered.get()) count("slow_unanswered");
                } catch (ConnectException e) {
                    count("slow_refused");
                } catch (IOException | InterruptedException e) {
                    count("slow_error");
                }
            }));
        }
        Thread.sleep(2000);            // every slow connection is in (its headers sent), then probe while they trickle
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int i = 0;
        while (System.nanoTime() < end) {
            String path = i++ % 2 == 0 ? "/embed" : "/tokenize";
            Outcome o = once(json(path, "{\"inputs\":\"a probe while slow bodies trickle in\"}"), 60_000);
            count("probe_" + o.kind);
            Outcome h = once(request("GET", "/health", null, null, true), 60_000);
            count("health_" + h.kind);
            Thread.sleep(200);
        }
        done.set(true);
        for (Thread t : slow) t.join(120_000);
        Outcome m = once(request("GET", "/metrics", null, null, true), 60_000);
        for (String line : m.body == null ? new String[0] : m.body.split("\n")) {
            if (line.startsWith("mlm4j_rejected_total") || line.startsWith("mlm4j_requests_total{route=\"other\"")
                    || line.startsWith("mlm4j_requests_total{route=\"/embed\"")) System.out.println("server_metric " + line);
        }
    }

    // ------------------------------------------------------------------ reply size

    static void replySize(int clients, int seconds) throws Exception {
        // The attacks: 255 masks with top_k 1000 (2.3 KB asking for ~150 MB), and a 1.9 MB body to /tokenize.
        String masks = "{\"inputs\":\"" + "[MASK] ".repeat(255) + "\",\"top_k\":1000}";
        String tokenize = "{\"inputs\":\"" + "a b c d ".repeat(237_000) + "\"}";
        // Large but allowed: 4 masks × top_k 1000 in a 400-token text, about 10 MB of reply each.
        String big = "{\"inputs\":\"the [MASK] " + "sat on the mat and looked around ".repeat(50) + " [MASK] [MASK] [MASK]\",\"top_k\":1000}";
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                int id = c;
                pool.submit(() -> {
                    for (int k = 0; System.nanoTime() < end; k++) {
                        int which = (id + k) % 3;
                        String body = which == 0 ? masks : which == 1 ? tokenize : big;
                        Outcome o = once(json(which == 1 ? "/tokenize" : "/fill-mask", body), 180_000);
                        count((which == 0 ? "masks255_topk1000_" : which == 1 ? "tokenize_1.9MB_" : "fill_10MB_reply_") + o.kind);
                    }
                });
            }
        }
    }

    // ------------------------------------------------------------------ overload

    static void overload(int clients, int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong latencyMax = new AtomicLong();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                int id = c;
                pool.submit(() -> {
                    Socket s = null;
                    try {
                        for (int k = 0; System.nanoTime() < end; k++) {
                            if (s == null) s = connect(120_000);
                            long t = System.nanoTime();
                            Outcome o = exchange(s, json(k % 4 == 3 ? "/tokenize" : "/embed",
                                    "{\"inputs\":\"client " + id + " request " + k + ": the dog chased the cat\"}"));
                            count("overload_" + o.kind);
                            if (o.kind.equals("200")) latencyMax.accumulateAndGet((System.nanoTime() - t) / 1_000_000, Math::max);
                            if (!o.status() || o.closes()) {
                                s.close();
                                s = null;
                            }
                            if (o.kind.equals("429")) Thread.sleep(50);
                        }
                    } catch (IOException | InterruptedException e) {
                        count("overload_client_error");
                    } finally {
                        try {
                            if (s != null) s.close();
                        } catch (IOException ignored) {
                            // closing
                        }
                    }
                });
            }
            Thread.sleep(1000);
            while (System.nanoTime() < end) {
                Outcome h = once(request("GET", "/health", null, null, true), 60_000);
                count("health_" + h.kind);
                Thread.sleep(500);
            }
        }
        counts.computeIfAbsent("overload_latency_max_ms_of_200", k -> new LongAdder()).add(latencyMax.get());
    }

    // ------------------------------------------------------------------ SIGTERM under load

    static void sigterm(int clients, int secondsBefore) throws Exception {
        AtomicBoolean signalled = new AtomicBoolean();
        Random seeds = new Random(9);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                int id = c;
                long seed = seeds.nextLong();
                pool.submit(() -> {
                    Random r = new Random(seed);
                    boolean idler = id % 4 == 0;          // a quarter pause between requests: kept-alive, idle at the signal
                    Socket s = null;
                    try {
                        for (int k = 0; k < 100_000; k++) {
                            if (s == null) {
                                try {
                                    s = connect(180_000);
                                } catch (ConnectException e) {
                                    count(signalled.get() ? "after_refused" : "before_refused");
                                    return;
                                }
                            }
                            boolean after = signalled.get();
                            String path = k % 5 == 4 ? "/fill-mask" : "/embed";
                            String body = path.equals("/fill-mask") ? "{\"inputs\":\"the dog chased the [MASK] " + id + "\"}"
                                    : "{\"inputs\":\"client " + id + " request " + k + "\"}";
                            Outcome o = exchange(s, json(path, body));
                            count((after ? "after_" : "before_") + o.kind);
                            if (o.kind.equals("503")) {
                                count(o.closes() ? "503_with_connection_close" : "503_without_connection_close");
                                return;          // told the server is going away
                            }
                            if (!o.status()) return;   // reset, dropped, cut, timeout: counted, nothing more to learn
                            if (o.closes()) {
                                s.close();
                                s = null;
                            }
                            if (idler) Thread.sleep(200 + r.nextInt(800));
                        }
                    } catch (IOException | InterruptedException e) {
                        count("client_error");
                    } finally {
                        try {
                            if (s != null) s.close();
                        } catch (IOException ignored) {
                            // closing
                        }
                    }
                });
            }
            Thread.sleep(secondsBefore * 1000L);
            signalled.set(true);
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);      // SIGTERM
            count("sigterm_sent");
        }
    }

    // ------------------------------------------------------------------ RSS

    static final class RssSampler {
        final long pid;
        volatile long first = -1, peak, last;
        volatile boolean stop;
        Thread t;

        RssSampler(long pid) {
            this.pid = pid;
        }

        void start() {
            t = Thread.ofPlatform().daemon().start(() -> {
                while (!stop) {
                    long kb = rssKb();
                    if (kb > 0) {
                        if (first < 0) first = kb;
                        peak = Math.max(peak, kb);
                        last = kb;
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        void stop() throws InterruptedException {
            stop = true;
            t.join();
        }

        long rssKb() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            } catch (IOException | RuntimeException gone) {
                // the process has exited
            }
            return -1;
        }
    }
}
