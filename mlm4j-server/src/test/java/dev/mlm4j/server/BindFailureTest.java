package dev.mlm4j.server;

import org.junit.jupiter.api.Test;

import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A server that cannot listen says why in one line (Javalin's own message says "Port already in use" for every cause). */
class BindFailureTest {

    @Test
    void aPortInUseAndAnAddressNotOnThisMachineAreToldApart() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            IllegalStateException inUse = assertThrows(IllegalStateException.class,
                    () -> MlmServer.start(TestServers.options().withPort(taken.getLocalPort()), java.util.List.of(TestServers.miniLm())));
            assertTrue(inUse.getMessage().contains("in use"), inUse.getMessage());
        }
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never an address of this machine
        IllegalStateException notHere = assertThrows(IllegalStateException.class,
                () -> MlmServer.start(TestServers.options().withHost("192.0.2.1"), java.util.List.of(TestServers.miniLm())));
        assertTrue(notHere.getMessage().contains("not one of this machine's"), notHere.getMessage());
        assertTrue(!notHere.getMessage().contains("in use"), notHere.getMessage());
    }
}
