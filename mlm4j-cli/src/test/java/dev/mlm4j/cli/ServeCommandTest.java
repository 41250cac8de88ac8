package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ./mlm4j serve: options, and a real process stopped with SIGTERM while a request is in flight. */
class ServeCommandTest {

    /** The loads run side by side; a failure is the first one in the order given, thrown as it was (not wrapped). */
    @Test
    void loadsRunTogetherAndTheFirstFailureInOrderIsThrownAsItWas() throws Exception {
        java.util.concurrent.CountDownLatch both = new java.util.concurrent.CountDownLatch(2);
        java.util.concurrent.Callable<dev.mlm4j.server.ServedModel> meet = () -> {
            both.countDown();
            assertTrue(both.await(10, TimeUnit.SECONDS), "the other load runs at the same time");
            return null;
        };
        assertEquals(2, ServeCommand.loadAll(List.of(meet, meet)).size());
        IllegalStateException first = new IllegalStateException("first");
        Exception thrown = assertThrows(Exception.class, () -> ServeCommand.loadAll(List.of(
                () -> {
                    Thread.sleep(200);
                    throw first;
                },
                () -> {
                    throw new IllegalArgumentException("second, but sooner");
                })));
        assertTrue(thrown == first, "got " + thrown);
    }

    @Test
    void helpListsTheOptions() {
        var r = CliRunner.run("serve", "--help");
        assertEquals(0, r.exit(), r.err());
        for (String o : List.of("--model", "--port", "--host", "--max-batch-tokens", "--payload-limit",
                "--max-concurrent-requests", "--api-key", "--cors-allow-origin", "--request-timeout-ms")) {
            assertTrue(r.out().contains(o), o + " in " + r.out());
        }
        assertTrue(r.out().contains("127.0.0.1"), "loopback by default");
        for (String o : List.of("--body-read-timeout-ms", "--max-reply-bytes", "--max-admitted-tokens", "--classifier", "--ner",
                "--reranker", "--qa", "/predict", "/token-classification", "/rerank", "/question-answering")) {
            assertTrue(r.out().contains(o), o + " in " + r.out());
        }
        // Issue 14 item 10: the environment variable comes first, and --api-key says why not to use it.
        String flat = r.out().replaceAll("\\s+", " ");
        assertTrue(flat.contains("MLM4J_API_KEY=secret ./mlm4j serve"), flat);
        assertTrue(flat.contains("Prefer the environment variable MLM4J_API_KEY: a key given here is visible to every user"), flat);
    }

    @Test
    void theServerLogsThroughARealSlf4jBindingToStderr() {
        // slf4j-nop swallowed an OutOfMemoryError in Jetty (issue 14 item 8): the CLI now carries slf4j-simple.
        assertEquals("org.slf4j.simple.SimpleLoggerFactory", org.slf4j.LoggerFactory.getILoggerFactory().getClass().getName());
        assertTrue(org.slf4j.LoggerFactory.getLogger("org.eclipse.jetty").isWarnEnabled());
        assertTrue(!org.slf4j.LoggerFactory.getLogger("org.eclipse.jetty").isInfoEnabled(), "WARN and above only");
    }

    @Test
    void badOptionsAreOneLine() {
        var r = CliRunner.run("serve", "--port", "99999", "--model", "bert-base-uncased");
        assertEquals(Errors.FAILED, r.exit());
        assertTrue(r.err().startsWith("mlm4j: port must be in 0..65535"), r.err());
        var u = CliRunner.run("serve", "--port", "eighty");
        assertEquals(Errors.USAGE, u.exit());
    }

    @Test
    void aTaskModelFolderWithoutItsHeadStopsServeAtStartInOneLine() {
        Path tiny = Path.of("../mlm4j-core/src/test/resources/tasks/tiny");
        assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
            var r = CliRunner.run("serve", "--port", "0", "--classifier", tiny.resolve("ner").toString());
            assertEquals(Errors.FAILED, r.exit(), r.err());
            assertTrue(r.err().startsWith("mlm4j: --classifier " + tiny.resolve("ner") + ": "), r.err());
            assertTrue(r.err().contains("not a sequence classifier"), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            var n = CliRunner.run("serve", "--port", "0", "--ner", tiny.resolve("sentiment").toString());
            assertEquals(Errors.FAILED, n.exit(), n.err());
            assertTrue(n.err().startsWith("mlm4j: --ner ") && n.err().contains("not a token classifier"), n.err());
            var r2 = CliRunner.run("serve", "--port", "0", "--reranker", tiny.resolve("sentiment").toString());
            assertEquals(Errors.FAILED, r2.exit(), r2.err());
            assertTrue(r2.err().startsWith("mlm4j: --reranker ") && r2.err().contains("2 labels"), r2.err());
            var q = CliRunner.run("serve", "--port", "0", "--qa", tiny.resolve("ner").toString());
            assertEquals(Errors.FAILED, q.exit(), q.err());
            assertTrue(q.err().startsWith("mlm4j: --qa ") && q.err().contains("not a question-answering model"), q.err());
        });
    }

    @Test
    void withoutFlagsItServesTheDefaultModelsAndSigtermLetsTheRequestInFlightFinishThenExitsZero() throws Exception {
        Served served = serve("--port", "0");   // the default models: all-MiniLM-L6-v2 and bert-base-uncased
        Process p = served.process();
        String base = served.base();
        StringBuffer log = served.log();
        CompletableFuture<Void> drain = served.drain();
        try {
            HttpClient client = HttpClient.newHttpClient();
            assertTrue(log.toString().contains("all-MiniLM-L6-v2 [embeddings, attention]"), log.toString());
            assertTrue(log.toString().contains("bert-base-uncased [embeddings, fill-mask, attention]"), log.toString());
            String embed = client.send(HttpRequest.newBuilder(URI.create(base + "/embed"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":\"hello\"}")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertEquals(384, new ObjectMapper().readTree(embed).get(0).size(), "the default embedding model: all-MiniLM-L6-v2");
            // Issue 14 item 2: /attention without a model is answered by bert-base-uncased, with its guesses.
            JsonNode attention = new ObjectMapper().readTree(client.send(HttpRequest.newBuilder(URI.create(base + "/attention"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"The dog chased the [MASK].\",\"layers\":0,\"heads\":0}")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals("bert-base-uncased", attention.get("model").asText(), attention.toString());
            assertEquals(1, attention.get("predictions").size(), attention.toString());
            // A request that takes a while: 8 texts of ~400 tokens through BERT-base, with a reply of about 1.5 MB
            // (100 candidates, each with its whole filled-in sequence) that Jetty is still writing after the handler returns.
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 8; i++) texts.add("the [MASK] " + "sat on the mat and looked around ".repeat(55) + i);
            String body = new ObjectMapper().writeValueAsString(java.util.Map.of("inputs", texts, "top_k", 100));
            CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
                    HttpRequest.newBuilder(URI.create(base + "/fill-mask")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            // Wait until the server has admitted it, then SIGTERM.
            String metrics = base + "/metrics";
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!admitted(client, metrics) && !slow.isDone() && System.nanoTime() < until) Thread.sleep(5);
            assertTrue(!slow.isDone(), "the request was still in flight when SIGTERM was sent");
            p.destroy();                                               // SIGTERM

            HttpResponse<String> r = slow.get(120, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            JsonNode j = new ObjectMapper().readTree(r.body());
            assertEquals(8, j.size());
            assertEquals(100, j.get(7).size());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process exits");
            assertEquals(0, p.exitValue(), "exit code after SIGTERM; log:\n" + log);
            drain.get(10, TimeUnit.SECONDS);
            assertTrue(log.toString().contains("SIGTERM"), log.toString());
            String stoppedBase = base;
            assertThrows(ConnectException.class, () -> client.send(HttpRequest.newBuilder(URI.create(stoppedBase + "/health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void withTaskOptionsAloneItServesTheTaskModelsOnTheirRoutesAndNothingElse() throws Exception {
        Path tiny = Path.of("../mlm4j-core/src/test/resources/tasks/tiny");
        Served served = serve("--port", "0", "--classifier", "sentiment=" + tiny.resolve("sentiment"), "--ner", tiny.resolve("ner").toString());
        try {
            String log = served.log().toString();
            assertTrue(log.contains("sentiment [text-classification], ner [token-classification]"), log);
            assertTrue(!log.contains("all-MiniLM-L6-v2") && !log.contains("bert-base-uncased"), "no default model: " + log);
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> predict = client.send(HttpRequest.newBuilder(URI.create(served.base() + "/predict"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":\"I absolutely loved this movie, the acting was wonderful.\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, predict.statusCode(), predict.body());
            // tasks/tiny/sentiment/expected.json, case tc-0-1 (transformers, top_k=None): POSITIVE 0.8724667…, NEGATIVE 0.1275332…
            JsonNode labels = new ObjectMapper().readTree(predict.body());
            assertEquals("POSITIVE", labels.get(0).get("label").asText(), predict.body());
            assertEquals(0.8724667429924011, labels.get(0).get("score").asDouble(), 1e-4);
            HttpResponse<String> embed = client.send(HttpRequest.newBuilder(URI.create(served.base() + "/embed"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":\"hello\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(424, embed.statusCode(), "no embedding model was asked for (the route exists, the model does not): " + embed.body());
            served.process().destroy();
            assertTrue(served.process().waitFor(60, TimeUnit.SECONDS), "the process exits");
            assertEquals(0, served.process().exitValue(), served.log().toString());
        } finally {
            served.process().destroyForcibly();
        }
    }

    /** A `serve` process, the base URL it said it listens on, its stderr (read on in the background until it ends). */
    record Served(Process process, String base, StringBuffer log, CompletableFuture<Void> drain) {}

    static Served serve(String... args) throws IOException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(javaBin, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Xmx3g", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "serve"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        String base = null;
        StringBuffer log = new StringBuffer();
        Pattern listening = Pattern.compile("listening on (http://\\S+)");
        for (String line; base == null && (line = err.readLine()) != null; ) {
            log.append(line).append('\n');
            Matcher m = listening.matcher(line);
            if (m.find()) base = m.group(1);
        }
        if (base == null) p.destroyForcibly();
        assertTrue(base != null, "the server said where it listens: " + log);
        CompletableFuture<Void> drain = CompletableFuture.runAsync(() -> {
            try {
                for (String l; (l = err.readLine()) != null; ) log.append(l).append('\n');
            } catch (IOException closed) {
                // the JDK closes a dead process's stream under us: what was read is enough
            }
        });
        return new Served(p, base, log, drain);
    }

    private static boolean admitted(HttpClient client, String metricsUrl) throws IOException, InterruptedException {
        String text = client.send(HttpRequest.newBuilder(URI.create(metricsUrl)).build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String line : text.split("\n")) {
            if (line.startsWith("mlm4j_requests_admitted ")) return Long.parseLong(line.substring(line.indexOf(' ') + 1).trim()) >= 1;
        }
        return false;
    }
}
