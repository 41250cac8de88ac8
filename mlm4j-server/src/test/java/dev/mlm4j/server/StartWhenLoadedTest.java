package dev.mlm4j.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link MlmServer#startWhenLoaded}: Javalin and Jetty start while the models load, the port is bound only once they
 * are in (a client meanwhile is refused, as by no server at all), and a failed load is thrown as it was thrown with
 * nothing left bound.
 */
class StartWhenLoadedTest {

    /** A free loopback port (closed again: the server under test binds it). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean accepts(int port) throws IOException {
        try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (ConnectException refused) {
            return false;
        }
    }

    private static FutureTask<MlmServer> starting(ServerOptions options, CompletableFuture<List<ServedModel>> models) {
        FutureTask<MlmServer> task = new FutureTask<>(() -> MlmServer.startWhenLoaded(options, models));
        Thread.ofPlatform().daemon().name("test-http-start").start(task);
        return task;
    }

    @Test
    void thePortIsBoundOnlyOnceTheModelsAreIn() throws Exception {
        int port = freePort();
        CompletableFuture<List<ServedModel>> models = new CompletableFuture<>();
        FutureTask<MlmServer> task = starting(TestServers.options().withHost("127.0.0.1").withPort(port), models);
        Thread.sleep(1500);                          // Javalin and Jetty are up by now, waiting for the models
        assertFalse(task.isDone(), "returned before the models were in");
        assertFalse(accepts(port), "the port was bound while the models were loading");
        models.complete(List.of(TestServers.miniLm()));
        try (MlmServer server = task.get(60, TimeUnit.SECONDS)) {
            assertEquals(port, server.port());
            assertEquals(List.of(TestServers.miniLm()), server.models());
            Http.Reply health = new Http(server.baseUrl()).get("/health");
            assertEquals(200, health.status(), health.toString());
            Http.Reply embed = new Http(server.baseUrl()).post("/embed", java.util.Map.of("inputs", "hello"));
            assertEquals(200, embed.status(), embed.toString());
        }
    }

    @Test
    void aFailedLoadIsThrownAsItWasAndLeavesNothingBound() throws Exception {
        int port = freePort();
        CompletableFuture<List<ServedModel>> models = new CompletableFuture<>();
        FutureTask<MlmServer> task = starting(TestServers.options().withHost("127.0.0.1").withPort(port), models);
        IllegalArgumentException cause = new IllegalArgumentException("no model named 'nope'");
        models.completeExceptionally(cause);
        ExecutionException thrown = assertThrows(ExecutionException.class, () -> task.get(60, TimeUnit.SECONDS));
        assertSame(cause, thrown.getCause());
        assertFalse(accepts(port));
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {   // free: never bound, or released
            assertEquals(port, again.getLocalPort());
        }
    }

    @Test
    void modelsThatCannotBeServedTogetherAreRefusedAsByStart() throws Exception {
        CompletableFuture<List<ServedModel>> models = CompletableFuture.completedFuture(List.of(TestServers.miniLm(), TestServers.miniLm()));
        FutureTask<MlmServer> task = starting(TestServers.options(), models);
        ExecutionException thrown = assertThrows(ExecutionException.class, () -> task.get(60, TimeUnit.SECONDS));
        assertInstanceOf(IllegalArgumentException.class, thrown.getCause());
        assertEquals(assertThrows(IllegalArgumentException.class,
                () -> MlmServer.start(TestServers.options(), List.of(TestServers.miniLm(), TestServers.miniLm()))).getMessage(),
                thrown.getCause().getMessage());
    }

    @Test
    void aPortInUseIsToldAsByStart() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            FutureTask<MlmServer> task = starting(TestServers.options().withHost("127.0.0.1").withPort(taken.getLocalPort()),
                    CompletableFuture.completedFuture(List.of(TestServers.miniLm())));
            ExecutionException thrown = assertThrows(ExecutionException.class, () -> task.get(60, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, thrown.getCause());
            assertTrue(thrown.getCause().getMessage().contains("in use"), thrown.getCause().getMessage());
        }
    }
}
