package dev.replog.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP link to a server that a test can cut without closing it: while {@link #freeze frozen},
 * nothing passes in either direction and whatever a client sends is held (counted in
 * {@link #bytesHeld}), as in a network partition between one client and the server; after
 * {@link #thaw} the held bytes go on. Connections, new ones included, stay open throughout.
 * {@link #cut} is the other kind of outage, a server that is down: every connection is closed and
 * new ones are closed at once, until {@link #restore}.
 */
public final class TcpProxy implements AutoCloseable {

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicLong held = new AtomicLong();
    private final Object gate = new Object();
    private volatile boolean frozen;
    private volatile boolean down;
    private volatile boolean closed;

    private TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "tcp-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A link to {@code host:port} on a free loopback port. */
    public static TcpProxy start(String host, int port) {
        try {
            return new TcpProxy(host, port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a proxy port", e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Stops every byte in both directions, holding them, until {@link #thaw}. */
    public void freeze() {
        held.set(0);
        frozen = true;
    }

    /** Lets held and new bytes pass again. */
    public void thaw() {
        synchronized (gate) {
            frozen = false;
            gate.notifyAll();
        }
    }

    /** The server is gone: open connections are closed, new ones closed as they come, until {@link #restore}. */
    public void cut() {
        down = true;
        sockets.forEach(this::closeQuietly);
    }

    public void restore() {
        down = false;
    }

    /** Bytes clients sent since the last {@link #freeze} that are held: they tried to talk to the server. */
    public long bytesHeld() {
        return held.get();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                if (down) {
                    closeQuietly(client);
                    continue;
                }
                Socket upstream = new Socket(targetHost, targetPort);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream, true);
                pump(upstream, client, false);
            } catch (IOException e) {
                if (!closed) {
                    pause();
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean fromClient) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    awaitThaw(fromClient ? n : 0);
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // One side went away: the link ends, as a TCP connection through a router would.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void awaitThaw(int bytes) throws InterruptedException {
        synchronized (gate) {
            if (frozen) {
                held.addAndGet(bytes);
            }
            while (frozen && !closed) {
                gate.wait();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeQuietly(Socket s) {
        sockets.remove(s);
        try {
            s.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
    }

    @Override
    public void close() {
        closed = true;
        thaw();
        try {
            server.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
        sockets.forEach(this::closeQuietly);
    }
}
