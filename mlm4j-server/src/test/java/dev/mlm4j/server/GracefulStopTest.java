package dev.mlm4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * stop() while a big reply is still being written to a client that reads slowly: the handler has returned,
 * Jetty has not finished writing. The stop must wait for the write, and the client must get all of it.
 */
class GracefulStopTest {

    @Test
    void aReplyStillBeingWrittenIsDeliveredWholeBeforeTheServerCloses() throws Exception {
        MlmServer server = TestServers.start(TestServers.options(), TestServers.bert());
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);             // a slow reader: the reply backs up in the server
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 4; i++) texts.add("the [MASK] " + "sat on the mat and looked around ".repeat(50) + i);
            byte[] body = Http.JSON.writeValueAsBytes(Map.of("inputs", texts, "top_k", 1000));   // a reply of ~7 MB, more than the socket buffers hold
            OutputStream out = socket.getOutputStream();
            out.write(("POST /fill-mask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();

            // Wait until the handler has run and returned: Jetty is now writing into a full socket.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (server.metrics.count("mlm4j_batches_total", "model", TestServers.BERT, "task", "fill-mask") == 0
                    || server.inFlight() > 0) {
                assertTrue(System.nanoTime() < until, "the request was computed");
                Thread.sleep(10);
            }
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::stop);
            // The client has read nothing yet, so the reply cannot be complete: a correct stop() is still waiting
            // however long we look (this can never fail spuriously). A stop() that returned here would let
            // `./mlm4j serve` exit and cut the reply, as it once did.
            Thread.sleep(300);
            assertTrue(!stopping.isDone(), "stop() waits for the reply still being written");

            byte[] reply = readAll(socket.getInputStream());
            stopping.get(60, TimeUnit.SECONDS);
            JsonNode json = Http.JSON.readTree(body(reply));
            assertEquals(4, json.size(), "the whole reply arrived");
            assertEquals(1000, json.get(3).size());
        } finally {
            server.stop();
        }
    }

    private static byte[] readAll(InputStream in) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int r; (r = in.read(buf)) >= 0; ) {
            all.write(buf, 0, r);
            if (complete(all.toByteArray())) break;
        }
        return all.toByteArray();
    }

    /** The body of a complete HTTP/1.1 response (Content-Length or chunked), or null if it is cut short. */
    private static String body(byte[] raw) {
        String s = new String(raw, StandardCharsets.ISO_8859_1);
        int headEnd = s.indexOf("\r\n\r\n");
        assertTrue(headEnd > 0, "a response head");
        String head = s.substring(0, headEnd).toLowerCase(java.util.Locale.ROOT);
        assertTrue(head.startsWith("http/1.1 200"), head);
        String rest = s.substring(headEnd + 4);
        if (head.contains("transfer-encoding: chunked")) {
            StringBuilder b = new StringBuilder();
            int p = 0;
            while (true) {
                int eol = rest.indexOf("\r\n", p);
                assertTrue(eol >= 0, "chunked reply cut short after " + b.length() + " bytes");
                int size = Integer.parseInt(rest.substring(p, eol).trim(), 16);
                if (size == 0) break;
                assertTrue(eol + 2 + size <= rest.length(), "chunked reply cut short after " + b.length() + " bytes");
                b.append(rest, eol + 2, eol + 2 + size);
                p = eol + 2 + size + 2;
            }
            return new String(b.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        }
        for (String line : head.split("\r\n")) {
            if (line.startsWith("content-length:")) {
                int n = Integer.parseInt(line.substring(15).trim());
                assertEquals(n, rest.length(), "the whole body");
            }
        }
        return new String(rest.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    private static boolean complete(byte[] raw) {
        String s = new String(raw, StandardCharsets.ISO_8859_1);
        int headEnd = s.indexOf("\r\n\r\n");
        if (headEnd < 0) return false;
        String head = s.substring(0, headEnd).toLowerCase(java.util.Locale.ROOT);
        if (head.contains("transfer-encoding: chunked")) return s.endsWith("\r\n0\r\n\r\n");
        for (String line : head.split("\r\n")) {
            if (line.startsWith("content-length:")) return s.length() - headEnd - 4 >= Integer.parseInt(line.substring(15).trim());
        }
        return false;
    }
}
