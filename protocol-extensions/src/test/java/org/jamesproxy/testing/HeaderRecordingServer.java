package org.jamesproxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An upstream that only reads what opens each connection: the PROXY header, and the first byte after it
 * (e.g. {@code 0x16} when a TLS ClientHello follows). It never answers.
 */
public final class HeaderRecordingServer implements AutoCloseable {
    /** What one connection started with. */
    public record Opening(ProxyHeaders.Header header, int nextByte) {
    }

    /** {@link Opening#nextByte()} when nothing followed the header within a second (the proxy awaits a greeting). */
    public static final int NOTHING = -2;

    public static HeaderRecordingServer start() throws IOException {
        return new HeaderRecordingServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    }

    private final ServerSocket serverSocket;
    private final BlockingQueue<Object> openings = new LinkedBlockingQueue<>();

    private HeaderRecordingServer(ServerSocket serverSocket) {
        this.serverSocket = serverSocket;
        Thread acceptor = new Thread(this::acceptLoop, "header-recording-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    /** The next connection's opening; fails with what went wrong reading it, or after 10 s. */
    public Opening nextOpening() throws Exception {
        Object next = openings.poll(10, TimeUnit.SECONDS);
        if (next == null) {
            throw new AssertionError("no connection reached the upstream within 10 s");
        }
        if (next instanceof Exception) {
            throw (Exception) next;
        }
        return (Opening) next;
    }

    public boolean connectedWithin(long millis) throws InterruptedException {
        Object next = openings.poll(millis, TimeUnit.MILLISECONDS);
        if (next != null) {
            openings.add(next);
        }
        return next != null;
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                Thread reader = new Thread(() -> read(socket), "header-recording-" + socket.getPort());
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void read(Socket socket) {
        try (socket) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            ProxyHeaders.Header header = ProxyHeaders.read(in);
            socket.setSoTimeout(1_000);
            int next;
            try {
                next = in.read();
            } catch (java.net.SocketTimeoutException e) {
                next = NOTHING;
            }
            openings.add(new Opening(header, next));
        } catch (IOException e) {
            openings.add(e);
        }
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
    }
}
