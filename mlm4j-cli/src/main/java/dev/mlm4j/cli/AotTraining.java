package dev.mlm4j.cli;

import sun.misc.Signal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The launcher's training run for its start-up cache (JDK 25's AOT cache; see {@code ./mlm4j}), not a command: on the
 * tiny test model, a {@code fill-mask} and then a {@code serve} on any free port that answers one {@code /fill-mask}
 * and one {@code /embed} request and is stopped by SIGTERM — both through {@link Main#run}, so the cache holds the classes
 * of the two paths users start most (a serve's first answer had ~1.4 s more CPU than a fill-mask when the cache knew
 * only the fill-mask). Only classes: with jdk.incubator.vector in the boot layer JDK 25 stores no method profiles
 * (docs/BENCHMARKS.md section 7, run 12). Its output is discarded by the launcher. Exit 0 when the fill-mask ran; the serve half
 * is best effort (a serve that fails only leaves its classes out of the cache).
 *
 * <pre>java -XX:AOTMode=record … -cp mlm4j-cli-all.jar dev.mlm4j.cli.AotTraining MODEL_DIR</pre>
 */
public final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: AotTraining MODEL_DIR");
            System.exit(2);
        }
        String model = args[0], text = "Paris is the [MASK] of France.";
        PrintStream stdout = System.out;
        Main.Stdout discard = new Main.Stdout(OutputStream.nullOutputStream());
        System.setOut(new PrintStream(discard, false, StandardCharsets.UTF_8));
        int code = Main.run("fill-mask", "--model", model, text);
        if (code == 0) {
            try {
                serve(model, text);
            } catch (Exception e) {
                System.err.println("AotTraining: serve left out: " + e);
            }
        }
        System.setOut(stdout);
        System.exit(code);
    }

    /** serve's line once it is up: its port bound and its SIGTERM handler installed. */
    private static final Pattern LISTENING = Pattern.compile("mlm4j serve: listening on (http://\\S+)");

    /** A serve on any free port, one request to each of two routes, then SIGTERM, as a user's Ctrl-C. */
    private static void serve(String model, String text) throws Exception {
        // wait for serve's "listening on" line, which names the port it took: before it, its SIGTERM handler may not be
        // in place yet, and a SIGTERM would end this JVM (and the recording) instead of the server
        PrintStream stderr = System.err;
        StringBuffer said = new StringBuffer();
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                said.append((char) b);
                stderr.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                said.append(new String(b, off, len, StandardCharsets.UTF_8));
                stderr.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8));
        try {
            int[] served = {-1};
            Thread server = Thread.ofPlatform().name("aot-serve").start(
                    () -> served[0] = Main.run("serve", "--model", model, "--port", "0"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            Matcher up;
            while (!(up = LISTENING.matcher(said)).find()) {
                if (!server.isAlive() || System.nanoTime() > deadline) throw new IOException("the server did not start");
                Thread.sleep(20);
            }
            String base = up.group(1);
            try (HttpClient client = HttpClient.newHttpClient()) {
                post(client, base + "/fill-mask", "{\"inputs\":\"" + text + "\"}");
                post(client, base + "/embed", "{\"inputs\":\"" + text.replace("[MASK]", "capital") + "\"}");
            } finally {
                Signal.raise(new Signal("TERM"));
                server.join(Duration.ofSeconds(60));
            }
            if (served[0] != 0) throw new IOException("serve exited with " + served[0]);
        } finally {
            System.setErr(stderr);
        }
    }

    private static void post(HttpClient client, String url, String json) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException(url + " answered " + r.statusCode() + ": " + r.body());
    }
}
