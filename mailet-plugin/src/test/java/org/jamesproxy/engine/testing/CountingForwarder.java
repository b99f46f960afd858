package org.jamesproxy.engine.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/** A loopback TCP forwarder to a daemon that counts the connections made through it (one per clamd scan). */
public final class CountingForwarder implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();

    public CountingForwarder(String host, int port) {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    connections.incrementAndGet();
                    Socket upstream = new Socket(host, port);
                    pump(client.getInputStream(), upstream.getOutputStream(), upstream);
                    pump(upstream.getInputStream(), client.getOutputStream(), client);
                } catch (IOException e) {
                    return;
                }
            }
        }, "counting-forwarder");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static void pump(InputStream in, OutputStream out, Socket target) {
        Thread thread = new Thread(() -> {
            try (target) {
                in.transferTo(out);
            } catch (IOException e) {
                // The other side closed.
            }
        }, "counting-forwarder-pump");
        thread.setDaemon(true);
        thread.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public int connections() {
        return connections.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
