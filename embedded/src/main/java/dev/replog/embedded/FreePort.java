package dev.replog.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Picks a TCP port on 127.0.0.1 that is free right now. */
public final class FreePort {

    private FreePort() {
    }

    /**
     * The port is released before it is returned, so another process could take it before the
     * caller binds it; on a test machine that race is rare enough to accept, and Kafka needs the
     * port number in its configuration before it binds anything.
     */
    public static int pick() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }
}
