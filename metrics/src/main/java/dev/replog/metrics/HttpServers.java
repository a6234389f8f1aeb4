package dev.replog.metrics;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** Creates the JDK HTTP servers of Replog's services (serve's API and the others' metrics and health endpoint). */
public final class HttpServers {

    static {
        // The JDK server writes headers and body separately without TCP_NODELAY: Nagle's algorithm and
        // the client's delayed ACK then add ~40 ms to every answer. Read once, when the first server starts.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private HttpServers() {
    }

    /** Binds the address now (with port 0 the port is known at once); the caller sets the executor and starts it. */
    public static HttpServer bind(InetSocketAddress address, int backlog) throws IOException {
        return HttpServer.create(address, backlog);
    }

    /** Stops answering at once and ends the server's threads (waiting up to 5 s for answers under way). */
    public static void stop(HttpServer server, ExecutorService executor) {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
